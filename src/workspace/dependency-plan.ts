// What a dependency install is made of, shared by the installers' planners: the plan's shape and
// the pure helpers that fingerprint what an install was made from.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Step {
  command: string;
  args: string[];
}

/** An install whose folder follows from the project's files. */
export interface KnownLocation {
  kind: 'known';
  /** Where the fingerprint of the last successful install is kept. */
  stateFile: string;
  /** Environment the program needs to find what was installed (a virtual environment's PATH). */
  env: Record<string, string>;
}

/**
 * An install whose folder only its tool can name (poetry keeps its virtual environments where its
 * own configuration says). `query` prints that folder, or fails while there is none; its last answer
 * is remembered in `memoFile`, named after everything the answer depends on.
 */
export interface AskedLocation {
  kind: 'asked';
  query: Step;
  memoFile: string;
  /** The PATH the program's environment puts the virtual environment's `bin` before. */
  searchPath: string;
}

/** What to install, how, and what the result depends on. Pure: built from files, run elsewhere. */
export interface DependencyPlan {
  description: string;
  fingerprint: string;
  steps: Step[];
  location: KnownLocation | AskedLocation;
}

export const STATE_FILE = '.pulumi-stack-action.json';

export class DependencyError extends Error {
  override name = 'DependencyError';
}

export type Env = Record<string, string | undefined>;

/** What the language host does to run a program in a virtual environment (ActivateVirtualEnv). */
export function virtualEnvEnv(venv: string, searchPath: string): Record<string, string> {
  return { VIRTUAL_ENV: venv, PATH: `${path.join(venv, 'bin')}${path.delimiter}${searchPath}` };
}

/** A file's resolved path and timestamp stand in for the program's version, without running it. */
export function executableIdentity(file: string): string {
  try {
    const real = fs.realpathSync(file);
    return `${real}@${fs.statSync(real).mtimeMs}`;
  } catch {
    return file;
  }
}

export function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** The nearest folder, `dir` or above it, holding `name`: where Pulumi and poetry look for it. */
export function searchUp(dir: string, name: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, name))) return at;
    if (path.dirname(at) === at) return undefined;
  }
}

export function fingerprint(parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}
