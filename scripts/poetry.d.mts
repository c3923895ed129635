export declare const POETRY_VERSION: string;
export declare function ensurePoetry(options?: { log?: (line: string) => void }): string;
