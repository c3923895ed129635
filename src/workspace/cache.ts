// Carries out the cache plan (cache-plan.ts) for one run: restores before the dependency step,
// saves at the end, and never fails the run. Every job on a hosted runner starts on a new machine,
// where the dependency reuse of dependencies.ts never fires and the CLI downloads every provider
// plugin again; this brings them back from GitHub's Actions cache.
//
// What comes back goes into a staging folder first and is moved into place only once complete and
// checked (a dependency install must carry the fingerprint of the plan that wants it), so a restore
// abandoned at its time budget, or one that fails half-way, leaves nothing behind that anyone reads.
// A cache service that is unreachable, slow or failing is one warning, and the run goes on as it
// would without a cache; nothing is saved after it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as log from '../base/log.js';
import type { RunContext } from '../base/run-context.js';
import type { CommonSettings } from '../model/settings.js';
import {
  archivePaths,
  cachePolicy,
  cliEntry,
  dependenciesEntry,
  dependenciesLocationEntry,
  foreignCheckout,
  installedNames,
  pluginsEntry,
  thisPlace,
  type CacheEntry,
  type CachePolicy,
  type Place,
} from './cache-plan.js';
import { startCacheClient, type CacheTransfer } from './cache-service.js';
import { readIfExists, STATE_FILE, type DependencyPlan, type KnownLocation } from './dependency-plan.js';
import { checkedOutCommit } from './git-head.js';
import type { CliCache } from './pulumi-cli.js';

/** Past this, a restore is abandoned: the run goes on as without a cache, which it would then be no slower than by much. */
export const RESTORE_BUDGET_MS = 30_000;
/** Past this, a save is abandoned: a service that takes this long for an upload is not answering. */
export const SAVE_BUDGET_MS = 300_000;

/** How the cache reaches the service; `startCacheClient` in the action, a fake in unit tests. */
export type StartClient = () => CacheTransfer;

export interface CacheOptions {
  settings: Pick<CommonSettings, 'workspace' | 'workDir' | 'runnerTemp' | 'github'> & { cache: boolean };
  context: Pick<RunContext, 'env' | 'runner' | 'signal'>;
  /** Defaults to the Actions cache client with the runner's service variables. */
  startClient?: StartClient;
  budgets?: { restoreMs: number; saveMs: number };
}

interface Restored {
  entry: CacheEntry;
  /** The key the service answered with: the entry's own, or a fallback's. */
  matched?: string;
}

export class ActionsCache {
  private readonly policy: CachePolicy;
  private readonly place: Place;
  private readonly startClient: StartClient;
  private readonly budgets: { restoreMs: number; saveMs: number };
  private client?: CacheTransfer;
  private available?: Promise<boolean>;
  private staging?: string;
  private restoreDeadline?: Deadline;
  private broken = false;
  /** Entries to save at the end: what this run installed that the cache does not hold under the entry's key. */
  private readonly toSave = new Map<CacheEntry['kind'], CacheEntry>();
  private plugins?: { entry: CacheEntry; before: string[]; known: boolean };
  /** Lines for the log, printed once the restores are done rather than inside another step's log group. */
  private readonly notes: string[] = [];
  /** Restores in flight, which the end of the restores waits for. */
  private readonly restoring = new Set<Promise<unknown>>();

  constructor(private readonly options: CacheOptions) {
    const { settings, context } = options;
    const service = context.runner.cacheService();
    this.policy = cachePolicy(settings.cache, service !== undefined, context.env, settings.github.eventName);
    this.place = thisPlace(settings.workspace);
    this.startClient = options.startClient ?? (() => startCacheClient(service!, log.setSecret));
    this.budgets = options.budgets ?? { restoreMs: RESTORE_BUDGET_MS, saveMs: SAVE_BUDGET_MS };
  }

  /** Whether anything is restored at all: the `cache` input, the runner's service and its cache mode. */
  get restores(): boolean {
    return this.policy.restore && !this.broken;
  }

  /**
   * Pulumi's plugins and policy packs, merged beside what is there already. Once the cache held
   * this entry's key for this machine (restored or saved here before), there is nothing to fetch.
   */
  async restorePlugins(workDir: string): Promise<void> {
    const entry = pluginsEntry(workDir, this.options.context.env, this.place);
    const known = fs.existsSync(this.recordFile(entry.key));
    if (this.restores && !known) {
      const restored = await this.restore(entry);
      if (restored.matched === entry.key) this.record(entry.key);
      this.plugins = { entry, before: pluginNames(entry), known: restored.matched === entry.key };
      return;
    }
    this.plugins = { entry, before: pluginNames(entry), known };
  }

  /**
   * The program's dependencies as the plan wants them, from the cache, put in place: true when an
   * install is now where the plan looks for it. For poetry, whose environment only poetry can name,
   * first the file remembering poetry's answer, then the environment it names.
   */
  async restoreDependencies(plan: DependencyPlan): Promise<boolean> {
    if (!this.restores) return false;
    let folder: string;
    if (plan.location.kind === 'asked') {
      const locator = await this.restore(dependenciesLocationEntry(plan.location.memoFile, this.place));
      folder = readIfExists(plan.location.memoFile).trim();
      if (!locator.matched || !path.isAbsolute(folder)) return false;
    } else {
      folder = path.dirname(plan.location.stateFile);
    }
    const entry = dependenciesEntry(plan, folder, this.place);
    const restored = await this.restore(entry, (staged) => fingerprintAt(path.join(staged[0]!, STATE_FILE)) === plan.fingerprint);
    return restored.matched !== undefined;
  }

  /** The CLI's hooks: restored into its place before a download; saved at the end when downloaded. */
  readonly cli: CliCache = {
    restore: async (version, root, marker) => {
      const entry = cliEntry(root, version, this.place, marker);
      return (await this.restore(entry, (staged) => fs.existsSync(path.join(staged[0]!, 'bin', 'pulumi')))).matched !== undefined;
    },
    installed: (version, root, marker) => {
      this.toSave.set('cli', cliEntry(root, version, this.place, marker));
    },
  };

  /** The plan's install was made by this run, so the cache gets it at the end (unless it came from there). */
  installed(plan: DependencyPlan, location: KnownLocation): void {
    const folder = path.dirname(location.stateFile);
    this.toSave.set('dependencies', dependenciesEntry(plan, folder, this.place));
    if (plan.location.kind === 'asked') this.toSave.set('dependencies-location', dependenciesLocationEntry(plan.location.memoFile, this.place));
  }

  /** The end of the restores: the client's thread is let go, and the staging folder with it. */
  async finishRestores(): Promise<void> {
    while (this.restoring.size > 0) await Promise.allSettled([...this.restoring]);
    for (const note of this.notes.splice(0)) log.info(note);
    await this.client?.close();
    this.client = undefined;
    this.available = undefined;
    try {
      if (this.staging) fs.rmSync(this.staging, { recursive: true, force: true });
    } catch {
      // A tar the stopped client started may still be writing there; the runner empties RUNNER_TEMP.
    }
    this.staging = undefined;
  }

  /**
   * At the end of the run: what it installed that the cache lacks, once per key, unless the run was
   * cancelled, the service failed it already, or the code is not the branch's own (see cachePolicy).
   */
  async save(): Promise<void> {
    await this.finishRestores();
    const { settings, context } = this.options;
    if (this.plugins && !this.plugins.known) {
      const now = pluginNames(this.plugins.entry);
      if (now.some((name) => !this.plugins!.before.includes(name))) this.toSave.set('plugins', this.plugins.entry);
    }
    const entries = [...this.toSave.values()];
    if (entries.length === 0 || !this.policy.save || this.broken || context.signal.aborted) {
      if (entries.length > 0 && this.policy.noSave) log.info(`Actions cache: nothing saved: ${this.policy.noSave}.`);
      return;
    }
    const refusal = foreignCheckout(await checkedOutCommit(settings.workDir).catch(() => undefined), settings.github.sha);
    if (refusal) {
      log.info(`Actions cache: nothing saved: ${refusal}.`);
      return;
    }
    const deadline = late(this.budgets.saveMs);
    try {
      for (const entry of entries) {
        const base = entry.base === 'workspace' ? settings.workspace : path.parse(entry.paths[0]!).root;
        // The archive's relative paths are found from the process's folder (@actions/glob).
        if (entry.base === 'workspace' && realPath(process.cwd()) !== settings.workspace) {
          log.info(`Actions cache: ${entry.description} not saved: the action runs in ${process.cwd()}, not in the workspace.`);
          continue;
        }
        const started = Date.now();
        const saved = await this.within(deadline, 'saving', () => this.connect().then((client) => client && client.save(archivePaths(entry, settings.workspace), entry.key, base)));
        if (this.broken) return;
        if (saved) {
          this.record(entry.key);
          log.info(`Actions cache: saved ${entry.description} (${seconds(started)}; key ${entry.key}).`);
        }
      }
    } finally {
      await this.finishRestores();
      deadline.cancel();
    }
  }

  /** One entry into the staging folder, checked by `accept`, then into place. */
  private restore(entry: CacheEntry, accept: (staged: string[]) => boolean = () => true): Promise<Restored> {
    const restoring = this.restoreNow(entry, accept);
    this.restoring.add(restoring);
    return restoring.finally(() => this.restoring.delete(restoring));
  }

  private async restoreNow(entry: CacheEntry, accept: (staged: string[]) => boolean): Promise<Restored> {
    if (!this.restores) return { entry };
    const { workspace } = this.options.settings;
    this.staging ??= fs.mkdtempSync(path.join(this.options.settings.runnerTemp || os.tmpdir(), 'pulumi-stack-action-restore-'));
    this.restoreDeadline ??= late(this.budgets.restoreMs);
    const started = Date.now();
    const staging = this.staging;
    const matched = await this.within(this.restoreDeadline, 'restoring', async () => {
      const client = await this.connect();
      return client && client.restore(archivePaths(entry, workspace), entry.key, entry.restoreKeys, staging);
    });
    if (!matched || this.broken) return { entry };
    const staged = entry.paths.map((p) => path.join(staging, entry.base === 'workspace' ? path.relative(workspace, p) : path.relative(path.parse(p).root, p)));
    if (!accept(staged)) {
      this.notes.push(`Actions cache: ${entry.description} under ${matched} is not what this run needs; it is installed anew.`);
      return { entry };
    }
    try {
      for (const [i, from] of staged.entries()) {
        if (fs.existsSync(from)) (entry.merge ? mergeInto : replaceWith)(from, entry.paths[i]!);
      }
    } catch (err) {
      this.fail(`${entry.description} could not be put in place: ${(err as Error).message}`);
      return { entry };
    }
    this.notes.push(`Actions cache: restored ${entry.description} (${seconds(started)}; key ${matched}).`);
    return { entry, matched };
  }

  /** The client, started on first use; undefined once the service is known to be absent. */
  private async connect(): Promise<CacheTransfer | undefined> {
    this.client ??= this.startClient();
    this.available ??= this.client.available();
    return (await this.available) ? this.client : undefined;
  }

  /** Runs a transfer within the deadline; a problem the client reports, or the deadline, is the one warning. */
  private async within<T>(deadline: Deadline, doing: string, transfer: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await Promise.race([transfer(), deadline.passed]);
      if (result === LATE) {
        this.fail(`the cache service did not finish ${doing} within ${deadline.ms / 1000} s`);
        return undefined;
      }
      const problems = this.client?.drain().problems ?? [];
      if (problems.length > 0) {
        this.fail(problems[0]!);
        return undefined;
      }
      return result;
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }

  private fail(why: string): void {
    if (this.broken) return;
    this.broken = true;
    log.warning(`The Actions cache could not be used (${oneLine(why)}): the job goes on without it, and nothing is saved to it.`);
    void this.client?.close();
  }

  /** This machine has the entry of `key` (restored or saved here), so it never needs fetching again. */
  private recordFile(key: string): string {
    const cacheHome = this.options.context.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    return path.join(cacheHome, 'pulumi-stack-action', 'actions-cache', createHash('sha256').update(key).digest('hex').slice(0, 32));
  }

  private record(key: string): void {
    try {
      fs.mkdirSync(path.dirname(this.recordFile(key)), { recursive: true });
      fs.writeFileSync(this.recordFile(key), `${key}\n`);
    } catch {
      // Only an optimisation for machines that run more than one job.
    }
  }
}

const LATE = Symbol('late');
interface Deadline {
  ms: number;
  passed: Promise<typeof LATE>;
  cancel(): void;
}

function late(ms: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), ms);
    timer.unref();
  });
  return { ms, passed, cancel: () => clearTimeout(timer) };
}

function pluginNames(entry: CacheEntry): string[] {
  return entry.paths.flatMap((folder) => installedNames(fs.existsSync(folder) ? fs.readdirSync(folder) : []).map((name) => path.join(folder, name)));
}

function fingerprintAt(stateFile: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}

/** The whole folder (or file) in place of what was there: a stale install goes. */
function replaceWith(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  move(from, to);
}

/** Each whole install in `from` that `to` lacks; what `to` has is left as it is. */
function mergeInto(from: string, to: string): void {
  const names = fs.readdirSync(from);
  for (const name of installedNames(names)) {
    if (!fs.existsSync(path.join(to, name))) move(path.join(from, name), path.join(to, name));
  }
}

function move(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // Another file system: copied beside its place, then renamed into it.
    const partial = `${to}.partial-${process.pid}`;
    fs.cpSync(from, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    fs.renameSync(partial, to);
  }
}

function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function oneLine(text: string): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
