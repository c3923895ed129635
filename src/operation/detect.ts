// `detect`: the Pulumi projects and stacks under a folder, narrowed to those a pull request touches,
// as a matrix a following job fans out over. Stacks are the `Pulumi.<stack>.yaml` files beside each
// project's `Pulumi.yaml`, which is how a repository declares them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitHubClient, pullRequestFiles } from '../workspace/github.js';
import { isStackName, printable } from '../inputs/inputs.js';
import * as log from '../base/log.js';
import type { RunContext } from '../base/run-context.js';
import type { DetectSettings } from '../model/settings.js';
import { PROJECT_FILE_NAMES, readProjectFile } from '../model/pulumi-formats.js';

export interface StackEntry {
  project: string;
  stack: string;
  /** The project's folder, relative to the workspace, as `work-dir` takes it. */
  'work-dir': string;
}

/** Folders that hold dependencies or build output, never a project of the repository's own. */
const SKIPPED = new Set(['node_modules', 'venv', '.venv', '.git', 'dist', 'out', '__pycache__']);
const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

export function findStacks(root: string, workspace: string): StackEntry[] {
  const entries: StackEntry[] = [];
  const visit = (dir: string) => {
    const names = fs.readdirSync(dir, { withFileTypes: true });
    if (names.some((n) => n.isFile() && PROJECT_FILE_NAMES.includes(n.name))) {
      const project = readProjectFile(dir).name;
      const workDir = path.relative(workspace, dir) || '.';
      for (const n of names) {
        const stack = n.isFile() ? STACK_FILE.exec(n.name)?.[1] : undefined;
        if (stack) entries.push({ project, stack, 'work-dir': workDir });
      }
    }
    for (const n of names) if (n.isDirectory() && !SKIPPED.has(n.name) && !n.name.startsWith('.')) visit(path.join(dir, n.name));
  };
  visit(root);
  return entries.sort((a, b) => a['work-dir'].localeCompare(b['work-dir']) || a.stack.localeCompare(b.stack));
}

/**
 * The stacks a workflow can take from `matrix` without harm. A step such as `run: pulumi up --stack
 * ${{ matrix.stack }}` gets the value pasted into its script before the shell reads it, so a stack
 * file named `Pulumi.$(curl …|sh).yaml`, or a folder `a$(id)`, would be code run with the job's
 * secrets. Names come from files anyone with a pull request can add: only stack names the `stack`
 * input accepts, in folders whose every segment keeps to the same characters, are usable.
 */
export function matrixSelection(stacks: readonly StackEntry[]): { usable: StackEntry[]; skipped: StackEntry[] } {
  const usable: StackEntry[] = [];
  const skipped: StackEntry[] = [];
  for (const entry of stacks) {
    const safe = isStackName(entry.stack) && entry['work-dir'].split('/').every(isStackName);
    (safe ? usable : skipped).push(entry);
  }
  return { usable, skipped };
}

const SKIPPED_SHOWN = 3;

/** The one warning for the stacks left out of `matrix`: how many, why, which (escaped), and what to do. */
export function skippedStacksWarning(skipped: readonly StackEntry[]): string {
  const shown = skipped.slice(0, SKIPPED_SHOWN).map((s) => `stack "${printable(s.stack)}" in "${printable(s['work-dir'])}"`);
  const rest = skipped.length > SKIPPED_SHOWN ? ` and ${skipped.length - SKIPPED_SHOWN} more` : '';
  const count = skipped.length === 1 ? '1 stack that' : `${skipped.length} stacks that`;
  return (
    `Skipped ${count} a workflow step could not safely use from 'matrix' (its value lands in run: scripts as written): ${shown.join(', ')}${rest}; ` +
    "name stacks and their folders with letters, digits, '-', '_' and '.' only, not starting with '-'."
  );
}

/**
 * The stacks a change touches: a change to a stack's own config file touches that stack; any other
 * change inside a project's folder touches all of its stacks. Nested projects own their folders.
 */
export function affectedStacks(stacks: readonly StackEntry[], changedFiles: readonly string[]): StackEntry[] {
  const projectDirs = [...new Set(stacks.map((s) => s['work-dir']))].sort((a, b) => b.length - a.length);
  const ownerOf = (file: string) => projectDirs.find((dir) => dir === '.' || file.startsWith(`${dir}/`));
  const touched = new Set<string>();
  for (const file of changedFiles) {
    const dir = ownerOf(file);
    if (dir === undefined) continue;
    const stack = STACK_FILE.exec(path.posix.basename(file))?.[1];
    const isOwnStackFile = stack !== undefined && path.posix.dirname(file) === (dir === '.' ? '.' : dir);
    for (const entry of stacks) {
      if (entry['work-dir'] === dir && (!isOwnStackFile || entry.stack === stack)) touched.add(`${entry['work-dir']}\0${entry.stack}`);
    }
  }
  return stacks.filter((s) => touched.has(`${s['work-dir']}\0${s.stack}`));
}

export interface Detected {
  selected: StackEntry[];
  /** How many stacks there are in all. */
  found: number;
  /** The pull request the selection is for, if any. */
  pullRequest?: number;
}

/** `detect`: the stacks under work-dir that this pull request touches (all of them on other events). */
export async function detect(settings: DetectSettings, context: RunContext): Promise<Detected> {
  const { usable: stacks, skipped } = matrixSelection(findStacks(settings.workDir, settings.workspace));
  if (skipped.length > 0) log.warning(skippedStacksWarning(skipped));
  const { pullRequest, repository, apiUrl } = settings.github;
  if (pullRequest === undefined || !repository || !settings.comment.token) return { selected: stacks, found: stacks.length };
  context.phase = 'plan';
  const files = await pullRequestFiles(await gitHubClient(settings.comment.token, apiUrl), repository.owner, repository.repo, pullRequest);
  return { selected: affectedStacks(stacks, files), found: stacks.length, pullRequest };
}
