import type { ChildProcess } from 'node:child_process';

export declare const REPO: string;
export declare const ACTION: string;
export declare function inputVariable(name: string): string;
export interface RunnerFiles {
  output: string;
  summary: string;
  event: string;
}
export declare function runnerEnv(options: {
  dir: string;
  workspace: string;
  inputs: Record<string, string | number | boolean>;
  event?: unknown;
  eventName?: string;
  env?: Record<string, string | undefined>;
  base?: NodeJS.ProcessEnv;
}): { files: RunnerFiles; env: NodeJS.ProcessEnv };
export interface ActionRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
export declare function startAction(
  env: NodeJS.ProcessEnv,
  options?: { cwd?: string; onStdout?: (chunk: string) => void },
): { child: ChildProcess; done: Promise<ActionRun> };
export declare function readOutputs(file: string): Record<string, string>;
