export declare const ACT_VERSION: string;
export declare const ACT_ENV: Record<string, string>;
export declare function ensureAct(options?: { log?: (line: string) => void }): string;
