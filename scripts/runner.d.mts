import type { ChildProcess } from 'node:child_process';

export declare const REPO: string;
export declare const ACTION: string;
export declare const RUNNER_TOKEN: string;
export declare function inputVariable(name: string): string;
export interface InputDeclaration {
  description?: string;
  default?: string;
  required?: boolean;
}
export declare function declaredInputs(actionFile?: string): Record<string, InputDeclaration | null>;
export declare function evaluateDefault(text: string, contexts: Record<string, unknown>): string;
export declare function inputEnv(inputs: Record<string, string | number | boolean>, contexts: Record<string, unknown>, declared?: Record<string, InputDeclaration | null>): Record<string, string>;
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
  token?: string;
  actionFile?: string;
}): { files: RunnerFiles; env: NodeJS.ProcessEnv };
export interface ActionRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
/** Cancels a started action as the runner does: SIGINT, SIGTERM 7.5 s later, SIGKILL to its process tree 2.5 s after that. */
export declare function cancelAsRunner(child: import('node:child_process').ChildProcess): Promise<void>;

export declare function startAction(env: NodeJS.ProcessEnv, options?: { cwd?: string; onStdout?: (chunk: string) => void }): { child: ChildProcess; done: Promise<ActionRun> };
export declare function readOutputs(file: string): Record<string, string>;
