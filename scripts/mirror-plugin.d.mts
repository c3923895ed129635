export declare const MIRROR_PLUGIN: { name: string; version: string };
export declare function mirrorPluginArchiveName(): string;
export declare function ensureMirrorPlugin(options?: { log?: (line: string) => void }): string;
