export declare const PULUMI_CLOUD_SOURCE: string;
export declare function ensurePulumiCloud(options?: { log?: (line: string) => void }): string;
