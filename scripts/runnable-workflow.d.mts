export declare const PUBLISHED_ACTION: RegExp;
export declare function runnableWorkflow(
  text: string,
  options: {
    checkout: string;
    backend: { url: string; env?: Record<string, string> };
    artifacts: string;
    standIns?: Record<string, string>;
    dropEnv?: string[];
  },
): string;
