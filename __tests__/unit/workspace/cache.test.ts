// A run with the Actions cache: how a restore is checked and put in place, a failing or slow service
// made one warning, and a save made only of what the run installed. What is kept under which key,
// and when the run may read and write it, is cache-plan.test.ts's. The service here is a fake transfer that
// archives folders the way @actions/cache does (paths relative to the base it is given); the
// bundled client against a stand-in of the real service is the end-to-end suite's
// (__tests__/e2e/actions-cache.test.ts), and against act's under act.
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionsCache } from '../../../src/workspace/cache.js';
import { dependenciesEntry, pluginsEntry, type Place } from '../../../src/workspace/cache-plan.js';
import type { CacheTransfer, ClientOutput } from '../../../src/workspace/cache-service.js';
import { STATE_FILE, type DependencyPlan } from '../../../src/workspace/dependency-plan.js';
import type { Runner } from '../../../src/base/runner.js';
import { workflowCommands } from '../../support/workflow-commands.js';

const place = (workspace: string): Place => ({ platform: 'linux', arch: 'x64', workspace });

function pipPlan(venv: string, fingerprint = 'fp-1'): DependencyPlan {
  return { description: 'Python virtual environment venv (pip)', fingerprint, steps: [], location: { kind: 'known', stateFile: path.join(venv, STATE_FILE), env: {} } };
}

/**
 * A cache service in memory: a save copies the paths (relative ones from `base`, as tar's -C) into a
 * snapshot; a restore copies the snapshot out under the base it is given, as the archive's paths
 * are. Keys match as the real service matches them: exactly, then by prefix.
 */
class FakeTransfer implements CacheTransfer {
  static store = new Map<string, { files: string; paths: string[] }>();
  output: ClientOutput = { problems: [], lines: [] };
  hang = false;
  problem?: string;
  restored: string[] = [];
  saved: string[] = [];

  constructor(private readonly isAvailable = true) {}

  async available() {
    return this.isAvailable;
  }

  async restore(paths: string[], key: string, restoreKeys: string[], base: string) {
    if (this.hang) return new Promise<undefined>(() => undefined);
    if (this.problem) {
      this.output.problems.push(this.problem);
      return undefined;
    }
    const keys = [...FakeTransfer.store.keys()].reverse();
    const found = [key, ...restoreKeys].map((k) => keys.find((s) => s === k) ?? keys.find((s) => s.startsWith(k))).find(Boolean);
    const entry = found && FakeTransfer.store.get(found);
    if (!found || !entry || entry.paths.join('|') !== paths.join('|')) return undefined;
    fs.cpSync(entry.files, base, { recursive: true });
    this.restored.push(found);
    return found;
  }

  async save(paths: string[], key: string, base: string) {
    if (FakeTransfer.store.has(key)) return false;
    const files = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cache-'));
    for (const p of paths) {
      const from = path.resolve(base, p);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(files, path.relative(base, from)), { recursive: true });
    }
    FakeTransfer.store.set(key, { files, paths });
    this.saved.push(key);
    return true;
  }

  drain() {
    const out = this.output;
    this.output = { problems: [], lines: [] };
    return out;
  }

  async close() {}
}

describe('a run with the cache', () => {
  let root: string;
  let workspace: string;
  let pulumiHome: string;
  let printed: string[];
  let transfer: FakeTransfer;
  let clientStarts: number;
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  afterAll(() => spy.mockRestore());

  const runner: Runner = {
    input: () => '',
    setOutput: () => undefined,
    appendSummary: () => undefined,
    addPath: () => undefined,
    cacheService: () => ({ ACTIONS_RESULTS_URL: 'https://results.example/' }),
  };

  function session(options: { event?: string; cache?: boolean; abort?: AbortController; restoreMs?: number; env?: Record<string, string> } = {}) {
    return new ActionsCache({
      settings: { cache: options.cache ?? true, workspace, workDir: path.join(workspace, 'infra'), runnerTemp: path.join(root, 'temp'), github: { apiUrl: '', eventName: options.event ?? 'push' } },
      context: { env: { PULUMI_HOME: pulumiHome, XDG_CACHE_HOME: path.join(root, 'xdg'), ...options.env }, runner, signal: (options.abort ?? new AbortController()).signal },
      startClient: () => {
        clientStarts++;
        return transfer;
      },
      budgets: { restoreMs: options.restoreMs ?? 5_000, saveMs: 5_000 },
    });
  }

  const venv = () => path.join(workspace, 'infra', 'venv');
  function buildVenv(fingerprint: string): void {
    fs.mkdirSync(path.join(venv(), 'bin'), { recursive: true });
    fs.writeFileSync(path.join(venv(), 'bin', 'python'), '');
    fs.writeFileSync(path.join(venv(), STATE_FILE), JSON.stringify({ fingerprint }));
  }
  const plugin = (name: string) => path.join(pulumiHome, 'plugins', name);
  const warnings = () =>
    workflowCommands(printed.join(''))
      .filter((c) => c.name === 'warning')
      .map((c) => c.data);

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cache-run-')));
    workspace = path.join(root, 'w');
    pulumiHome = path.join(root, 'pulumi-home');
    fs.mkdirSync(path.join(workspace, 'infra'), { recursive: true });
    fs.mkdirSync(path.join(root, 'temp'));
    fs.writeFileSync(path.join(workspace, 'infra', 'Pulumi.yaml'), 'name: p\nruntime: python\n');
    printed = [];
    FakeTransfer.store.clear();
    clientStarts = 0;
    transfer = new FakeTransfer();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A first machine that installed both and saved them; the next one starts with neither. */
  async function firstMachineSaves(): Promise<void> {
    const first = session();
    await first.restorePlugins(path.join(workspace, 'infra'));
    buildVenv('fp-1');
    first.installed(pipPlan(venv()), pipPlan(venv()).location as never);
    fs.mkdirSync(plugin('resource-aws-v7.0.0'), { recursive: true });
    await first.save();
    expect(transfer.saved).toHaveLength(2);
    fs.rmSync(venv(), { recursive: true });
    fs.rmSync(pulumiHome, { recursive: true });
    fs.rmSync(path.join(root, 'xdg'), { recursive: true, force: true });
    transfer = new FakeTransfer();
  }

  it('restores the environment a plan wants into its place, and the plugins beside what is there; saves nothing it restored', async () => {
    await firstMachineSaves();
    fs.mkdirSync(plugin('resource-local-v1.0.0'), { recursive: true });
    const next = session();
    await next.restorePlugins(path.join(workspace, 'infra'));
    expect(await next.restoreDependencies(pipPlan(venv()))).toBe(true);
    await next.finishRestores();
    expect(JSON.parse(fs.readFileSync(path.join(venv(), STATE_FILE), 'utf8'))).toEqual({ fingerprint: 'fp-1' });
    expect(fs.readdirSync(path.join(pulumiHome, 'plugins')).sort()).toEqual(['resource-aws-v7.0.0', 'resource-local-v1.0.0']);
    await next.save();
    expect(transfer.saved).toEqual([]);
    expect(warnings()).toEqual([]);
    expect(printed.join('')).toMatch(/Actions cache: restored Python virtual environment venv \(pip\) \(\d+\.\d s; key pulumi-stack-action-v1-dependencies-linux-x64-/);
  });

  it('leaves an install that is not what the plan wants where it is, and says so', async () => {
    await firstMachineSaves();
    const next = session();
    // The same key holding another fingerprint: what a key cannot see, the check after the restore does.
    const plan = pipPlan(venv(), 'fp-other');
    const entry = dependenciesEntry(pipPlan(venv()), venv(), place(workspace));
    FakeTransfer.store.set(dependenciesEntry(plan, venv(), place(workspace)).key, FakeTransfer.store.get(entry.key)!);
    expect(await next.restoreDependencies(plan)).toBe(false);
    await next.finishRestores();
    expect(fs.existsSync(venv())).toBe(false);
    expect(printed.join('')).toContain('is not what this run needs; it is installed anew');
  });

  it('saves the plugins only when the run added one, and only under a key the cache lacks', async () => {
    await firstMachineSaves();
    const unchanged = session();
    await unchanged.restorePlugins(path.join(workspace, 'infra'));
    await unchanged.save();
    expect(transfer.saved).toEqual([]);
    // This machine had the key: nothing is fetched again, nor saved under it.
    const again = session();
    await again.restorePlugins(path.join(workspace, 'infra'));
    fs.mkdirSync(plugin('resource-gcp-v8.0.0'), { recursive: true });
    await again.save();
    expect(transfer.restored).toHaveLength(1);
    expect(transfer.saved).toEqual([]);
    // A changed requirements.txt is another key: the fallback's plugins, then the new one saved.
    fs.rmSync(path.join(root, 'xdg'), { recursive: true, force: true });
    fs.rmSync(pulumiHome, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'infra', 'requirements.txt'), 'pulumi-gcp==8.0.0\n');
    const changed = session();
    await changed.restorePlugins(path.join(workspace, 'infra'));
    expect(fs.existsSync(plugin('resource-aws-v7.0.0'))).toBe(true);
    fs.mkdirSync(plugin('resource-gcp-v8.0.0'), { recursive: true });
    await changed.save();
    expect(transfer.saved).toEqual([pluginsEntry(path.join(workspace, 'infra'), { PULUMI_HOME: pulumiHome }, place(workspace)).key]);
  });

  it('saves nothing from a comment command, a cancelled run, or with the input off, and starts no client with the input off', async () => {
    const startsWith: number[] = [];
    for (const [options, says] of [
      [{ event: 'issue_comment' }, "Actions cache: nothing saved: runs on issue_comment events use the default branch's cache scope"],
      [{ abort: Object.assign(new AbortController(), {}) }, undefined],
      [{ cache: false }, undefined],
    ] as const) {
      if ('abort' in options) options.abort.abort();
      const run = session(options);
      await run.restorePlugins(path.join(workspace, 'infra'));
      buildVenv('fp-1');
      run.installed(pipPlan(venv()), pipPlan(venv()).location as never);
      await run.save();
      if (says) expect(printed.join('')).toContain(says);
      startsWith.push(clientStarts);
    }
    expect(transfer.saved).toEqual([]);
    // Each restore phase starts a client; no save does, and with the input off nothing at all.
    expect(startsWith).toEqual([1, 2, 2]);
  });

  it('makes a service that never answers one warning at the time budget, and saves nothing after it', async () => {
    transfer.hang = true;
    const run = session({ restoreMs: 200 });
    const started = Date.now();
    await run.restorePlugins(path.join(workspace, 'infra'));
    expect(await run.restoreDependencies(pipPlan(venv()))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    buildVenv('fp-1');
    run.installed(pipPlan(venv()), pipPlan(venv()).location as never);
    await run.save();
    expect(warnings()).toEqual(['The Actions cache could not be used (the cache service did not finish restoring within 0.2 s): the job goes on without it, and nothing is saved to it.']);
    expect(transfer.saved).toEqual([]);
  });

  it("makes the client's own warnings and errors one warning, not an error annotation", async () => {
    transfer.problem = 'Failed to restore: Cache service responded with 503';
    const run = session();
    await run.restorePlugins(path.join(workspace, 'infra'));
    expect(await run.restoreDependencies(pipPlan(venv()))).toBe(false);
    await run.save();
    expect(warnings()).toEqual(['The Actions cache could not be used (Failed to restore: Cache service responded with 503): the job goes on without it, and nothing is saved to it.']);
    expect(workflowCommands(printed.join('')).filter((c) => c.name === 'error')).toEqual([]);
  });

  it('says nothing where the runner has no usable service', async () => {
    transfer = new FakeTransfer(false);
    const run = session();
    await run.restorePlugins(path.join(workspace, 'infra'));
    expect(await run.restoreDependencies(pipPlan(venv()))).toBe(false);
    await run.save();
    expect(printed.join('')).toBe('');
  });
});
