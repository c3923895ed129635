export function installedPolicyPack(source: string, options?: { env?: NodeJS.ProcessEnv; log?: (line: string) => void }): string;
