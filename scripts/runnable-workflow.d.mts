export declare const PUBLISHED_ACTION: RegExp;
export declare function runnableWorkflow(
  text: string,
  options: {
    checkout: string;
    cloud: { url: string };
    selfManaged: { url: string; env?: Record<string, string> };
    artifacts: string;
    standIns?: Record<string, string>;
    dropEnv?: string[];
  },
): string;
