// The runner's private channels: the step's inputs (INPUT_*), the files it reads the step's
// outputs, job summary, environment, path and state from, and the tokens of its own services. They
// are this process's alone. The entry point takes them out of the environment before it does
// anything else, so no process the action starts, ever (the CLI, and through it the program and its
// providers; pip, npm, poetry, git), inherits one: a program that could append to GITHUB_ENV could
// set PULUMI_DESTROY_APPROVED for a later step, and one holding ACTIONS_RUNTIME_TOKEN could write
// the Actions cache. GitHub's ID-token request variables stay: providers log in with them.
//
// Imported by the entry point's own small bundle, so it imports nothing of the action's.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { EOL } from 'node:os';

/** The cache service's URLs and the token it takes, which only the cache client's own thread is given. */
const CACHE_SERVICE_VARIABLES = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL'] as const;

/** The runner's file commands and service tokens; INPUT_* variables are private too. */
export const RUNNER_PRIVATE_VARIABLES = [
  'GITHUB_ENV',
  'GITHUB_OUTPUT',
  'GITHUB_PATH',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
] as const;

export function isRunnerPrivate(name: string): boolean {
  return name.startsWith('INPUT_') || (RUNNER_PRIVATE_VARIABLES as readonly string[]).includes(name);
}

/** The names a workflow can address as `steps.<id>.outputs.<name>`, and all a file command may carry. */
export const OUTPUT_NAME = /^[A-Za-z0-9_-]+$/;

export interface Runner {
  /** An input as the runner passes it (`INPUT_<NAME>`: upper-cased, spaces to `_`), trimmed; empty when absent. */
  input: (name: string) => string;
  /** A step output; the name must be one a workflow can address (`OUTPUT_NAME`). */
  setOutput(name: string, value: string): void;
  /** Markdown added to the job summary; nothing where the runner gives no summary file. */
  appendSummary(markdown: string): void;
  /** A folder put first on PATH for the job's later steps (GITHUB_PATH); nothing where the runner gives no such file. */
  addPath(folder: string): void;
  /**
   * What @actions/cache reads to reach the Actions cache service (its URLs and the runtime token),
   * for an environment of the cache client's own that no process the action starts inherits (see
   * workspace/cache-service.ts); undefined where the runner gives no cache service.
   */
  cacheService(): Readonly<Record<string, string>> | undefined;
}

/** Removes the runner's private variables from `env` (the process's own, in the action), keeping them for the runner's object. */
export function takeRunnerChannels(env: NodeJS.ProcessEnv = process.env): Runner {
  const taken = new Map<string, string>();
  for (const name of Object.keys(env)) {
    if (!isRunnerPrivate(name)) continue;
    taken.set(name, env[name] ?? '');
    delete env[name];
  }
  const outputFile = taken.get('GITHUB_OUTPUT');
  const summaryFile = taken.get('GITHUB_STEP_SUMMARY');
  const pathFile = taken.get('GITHUB_PATH');
  const cacheService = Object.fromEntries(CACHE_SERVICE_VARIABLES.filter((name) => taken.get(name)).map((name) => [name, taken.get(name)!]));
  return {
    input: (name) => (taken.get(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`) ?? '').trim(),
    setOutput: (name, value) => {
      if (outputFile) fs.appendFileSync(outputFile, outputCommand(name, value), 'utf8');
    },
    appendSummary: (markdown) => {
      if (summaryFile) fs.appendFileSync(summaryFile, markdown, 'utf8');
    },
    addPath: (folder) => {
      // One path a line, as the runner reads the file: a line break in it would add a folder of its own.
      if (/[\r\n]/.test(folder)) throw new Error(`${JSON.stringify(folder)} is not a folder the runner's PATH can take`);
      if (pathFile) fs.appendFileSync(pathFile, `${folder}${EOL}`, 'utf8');
    },
    cacheService: () => (cacheService.ACTIONS_CACHE_URL || cacheService.ACTIONS_RESULTS_URL ? { ...cacheService } : undefined),
  };
}

/**
 * One `name<<delimiter` block of GITHUB_OUTPUT. The name is checked here too, not only by whoever
 * chose it: a newline or `=` in it would write lines of its own into the file.
 */
export function outputCommand(name: string, value: string): string {
  if (!OUTPUT_NAME.test(name)) throw new Error(`${JSON.stringify(name)} is not a name a step output can have`);
  let delimiter: string;
  do delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter));
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}
