export declare const FIXTURES: string;
export declare function recordEvents(outDir: string, options?: { log?: (line: string) => void }): Promise<string[]>;
