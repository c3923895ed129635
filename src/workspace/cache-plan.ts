// What the action keeps in GitHub's Actions cache, under which keys, and when it may read or write
// it. Pure: built from the settings, the dependency plan and files; cache.ts carries it out.
//
// A key must never serve the wrong thing, so it names everything the content was made from: the OS
// and architecture, the interpreter (its version and installation, asked of it: see
// runtime-identity.ts), the lock or requirements files, the installer, and, for content that only
// works where it was made (a Python virtual environment names its interpreter and itself by
// absolute path), that path. What a key cannot see is checked after the restore, as a local install
// is: the fingerprint stored in the install must be the plan's, or it is rebuilt.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DependencyPlan, Env } from './dependency-plan.js';

/** Bumped when what an entry holds, or how, changes: older entries then never match. */
const KEY_PREFIX = 'pulumi-stack-action-v1';

export type CacheEntryKind = 'dependencies' | 'dependencies-location' | 'plugins' | 'cli';

export interface CacheEntry {
  kind: CacheEntryKind;
  /** For the log. */
  description: string;
  /** Absolute paths of the folders (or files) it holds. */
  paths: string[];
  /**
   * What the archive's paths are relative to: the file system's root, so the content comes back to
   * the same absolute place; or, for content that works anywhere (node_modules), the workspace, so
   * a checkout at another path (a self-hosted runner's, act's) finds it too.
   */
  base: 'root' | 'workspace';
  key: string;
  /** Prefixes of keys to fall back to: only where what a fallback lacks is completed and checked afterwards. */
  restoreKeys: string[];
  /** Restored into place folder by folder, beside what is there already, rather than replacing it. */
  merge: boolean;
}

/** The cache service's answer to whether this run may read and write, and why not. */
export interface CachePolicy {
  restore: boolean;
  save: boolean;
  /** Why nothing is saved (for one line of the log), where `save` is false but `restore` is not. */
  noSave?: string;
}

/**
 * Events whose runs use the default branch's cache scope while running code someone else pushed:
 * a comment command checks out a pull request's head, and `pull_request_target` workflows usually
 * do. A cache saved there would be restored by the default branch's own runs, deploys included.
 */
const FOREIGN_CODE_EVENTS = ['issue_comment', 'pull_request_target'];

/** ACTIONS_CACHE_MODE as the runner sets it; an unknown or absent mode permits both, as @actions/cache reads it. */
const CACHE_MODES: Record<string, { read: boolean; write: boolean }> = {
  none: { read: false, write: false },
  read: { read: true, write: false },
  write: { read: true, write: true },
  'write-only': { read: false, write: true },
};

export function cachePolicy(enabled: boolean, serviceGiven: boolean, env: Env, eventName: string | undefined): CachePolicy {
  if (!enabled || !serviceGiven) return { restore: false, save: false };
  const mode = CACHE_MODES[(env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase()] ?? { read: true, write: true };
  if (eventName !== undefined && FOREIGN_CODE_EVENTS.includes(eventName)) {
    return {
      restore: mode.read,
      save: false,
      noSave: `runs on ${eventName} events use the default branch's cache scope while running code from elsewhere (a pull request's), and what they saved the default branch's own runs would restore`,
    };
  }
  return { restore: mode.read, save: mode.write, ...(mode.write ? {} : { noSave: `the runner's ACTIONS_CACHE_MODE is '${env.ACTIONS_CACHE_MODE}'` }) };
}

/** The save is refused when the checked-out commit is known and is not the one the run is for. */
export function foreignCheckout(checkedOut: string | undefined, runSha: string | undefined): string | undefined {
  if (!checkedOut || !runSha || checkedOut === runSha) return undefined;
  return `the checked-out commit ${checkedOut.slice(0, 12)} is not the one this run is for (GITHUB_SHA ${runSha.slice(0, 12)}), so it is not the branch's own code`;
}

export interface Place {
  platform: NodeJS.Platform;
  arch: NodeJS.Architecture;
  workspace: string;
}

export const thisPlace = (workspace: string): Place => ({ platform: process.platform, arch: process.arch, workspace });

/**
 * The program's installed dependencies, at the place the plan installs them (`folder`: the virtual
 * environment, node_modules, poetry's environment once poetry has named it). A Node.js install works
 * from any folder, a Python environment only from its own.
 */
export function dependenciesEntry(plan: DependencyPlan, folder: string, place: Place): CacheEntry {
  const relocatable = path.basename(folder) === 'node_modules' && isInside(place.workspace, folder);
  const where = relocatable ? path.relative(place.workspace, folder) : folder;
  return {
    kind: 'dependencies',
    description: plan.description,
    paths: [folder],
    base: relocatable ? 'workspace' : 'root',
    key: key('dependencies', place, [plan.fingerprint, where]),
    restoreKeys: [],
    merge: false,
  };
}

/**
 * Where poetry keeps the program's environment, which only poetry can name and which the next
 * runner needs before poetry has made one: the file the action remembers poetry's answer in. Its
 * name is made of everything poetry decides the place by (see poetry.ts).
 */
export function dependenciesLocationEntry(memoFile: string, place: Place): CacheEntry {
  return {
    kind: 'dependencies-location',
    description: "where poetry keeps the program's environment",
    paths: [memoFile],
    base: 'root',
    key: key('dependencies-location', place, [memoFile]),
    restoreKeys: [],
    merge: false,
  };
}

/** The files that say which provider plugins a program needs: its packages' lock and requirements files. */
const PLUGIN_SOURCES = ['Pulumi.yaml', 'Pulumi.yml', 'requirements.txt', 'pyproject.toml', 'poetry.lock', 'uv.lock', 'package.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];

/**
 * Pulumi's plugins and policy packs (PULUMI_HOME, else ~/.pulumi). Keyed by the program's folder and
 * the files that name its packages; any earlier entry of the same machine kind is a fallback, since
 * the CLI downloads whatever a partial one lacks and checks what it finds.
 */
export function pluginsEntry(workDir: string, env: Env, place: Place): CacheEntry {
  const home = pulumiHome(env);
  const sources = PLUGIN_SOURCES.map((name) => `${name}\0${readIfExists(path.join(workDir, name))}`);
  return {
    kind: 'plugins',
    description: `Pulumi plugins and policy packs in ${home}`,
    paths: [path.join(home, 'plugins'), path.join(home, 'policies')],
    base: 'root',
    key: key('plugins', place, [path.relative(place.workspace, workDir), ...sources]),
    restoreKeys: [keyPrefix('plugins', place)],
    merge: true,
  };
}

/** The CLI the action installed: a version's folder, restored where no matching CLI is on the runner. */
export function cliEntry(root: string, version: string, place: Place, marker?: string): CacheEntry {
  return {
    kind: 'cli',
    description: `the Pulumi CLI v${version}`,
    paths: marker ? [root, marker] : [root],
    base: 'root',
    key: key('cli', place, [version, root]),
    restoreKeys: [],
    merge: false,
  };
}

/** As the CLI finds it: PULUMI_HOME, else `.pulumi` in the user's home as the system records it (not HOME). */
export function pulumiHome(env: Env): string {
  return env.PULUMI_HOME || path.join(os.userInfo().homedir, '.pulumi');
}

/** The CLI's own files beside each install: a lock, when it was last used, and `.partial` while it is being installed. */
const BESIDE_AN_INSTALL = /\.(partial|lock|lastused)$/;

/** Names in a plugins or policies folder that are whole installs. */
export function installedNames(names: readonly string[]): string[] {
  return names.filter((name) => !BESIDE_AN_INSTALL.test(name) && !names.includes(`${name}.partial`)).sort();
}

/** The paths as the archive names them, which is also what @actions/cache versions an entry by. */
export function archivePaths(entry: CacheEntry, workspace: string): string[] {
  return entry.base === 'workspace' ? entry.paths.map((p) => path.relative(workspace, p).split(path.sep).join('/')) : entry.paths;
}

function keyPrefix(kind: CacheEntryKind, place: Place): string {
  return `${KEY_PREFIX}-${kind}-${place.platform}-${place.arch}-`;
}

function key(kind: CacheEntryKind, place: Place, parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return `${keyPrefix(kind, place)}${hash.digest('hex')}`;
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
