// A fresh runner as fast as a warm one: through the bundled action, the real CLI, a real virtual
// environment and a real provider plugin from a local mirror, against a stand-in of GitHub.com's
// cache service (the protocol @actions/cache calls v2; __tests__/support/cache-service.ts). Each run
// is a new machine at the same paths, as GitHub's hosted runners are: a new, empty home folder (so
// no plugins, no pip cache, nothing the action remembered), a new runner folder, and a checkout
// without the virtual environment. The first run installs and saves; the next restores and
// installs nothing; a changed requirements.txt installs again, and from a comment command's run
// nothing is saved. A cache service that cannot be reached, or that never answers, is one warning
// and the run goes on as without a cache.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startCacheService, type CacheServiceStandIn } from '../support/cache-service.js';
import { errorsOf, makeWorkspace, runStep, type StepResult, type Workspace } from '../support/e2e.js';
import { startPluginMirror, type PluginMirror } from '../support/plugin-mirror.js';
import { workflowCommands } from '../support/workflow-commands.js';

const TOKEN = 'actions-runtime-token-for-the-cache';
let ws: Workspace;
let service: CacheServiceStandIn;
let mirror: PluginMirror;

/** The program registers a resource of the mirror's plugin, so the engine must have the plugin. */
const USES_THE_PLUGIN = (version: string) => `
if config.get_bool("mirrorThing"):
    pulumi.CustomResource("mirrortest:index:Thing", "thing", {"label": "cached"}, opts=pulumi.ResourceOptions(version="${version}"))
`;

beforeAll(async () => {
  [service, mirror] = await Promise.all([startCacheService(TOKEN), startPluginMirror()]);
  ws = makeWorkspace('python');
  fs.appendFileSync(path.join(ws.root, ws.workDir, '__main__.py'), USES_THE_PLUGIN(mirror.plugin.version));
}, 300_000);

afterAll(async () => {
  await Promise.all([service?.close(), mirror?.close()]);
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
});

const venv = () => path.join(ws.root, ws.workDir, 'venv');

/** A new machine at the same paths: an empty home (plugins, pip's cache, what the action remembers), and no virtual environment in the checkout. */
function freshRunner(keepVirtualEnv = false): Record<string, string> {
  const home = path.join(ws.root, 'home');
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home);
  if (!keepVirtualEnv) fs.rmSync(venv(), { recursive: true, force: true });
  return {
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    // The CLI finds its home from the system's user database, not HOME.
    PULUMI_HOME: path.join(home, '.pulumi'),
    PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: mirror.overrides,
    // The suite turns downloads off for every other test.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'false',
  };
}

function preview(env: Record<string, string>, eventName?: string): Promise<StepResult> {
  return runStep(ws, {
    inputs: { command: 'preview', stack: 'dev', 'comment-on-pr': 'false', config: JSON.stringify({ outDir: ws.outDir, mirrorThing: true }) },
    env,
    eventName,
  });
}

const warnings = (run: StepResult) =>
  workflowCommands(run.stdout)
    .filter((c) => c.name === 'warning')
    .map((c) => c.data);
const installedPip = (run: StepResult) => run.stdout.includes('::group::Dependencies: Python virtual environment venv (pip)');

describe('a fresh runner, with the cache GitHub.com serves', () => {
  it('installs the dependencies and downloads the plugin on the first run, and saves both', async () => {
    const run = await preview({ ...service.env, ...freshRunner() });
    expect(errorsOf(run)).toEqual([]);
    expect(warnings(run)).toEqual([]);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 6 });
    expect(installedPip(run)).toBe(true);
    expect(mirror.downloads()).toBe(1);
    expect(run.stdout).toMatch(/Actions cache: saved Python virtual environment venv \(pip\) \(.* s; key pulumi-stack-action-v1-dependencies-linux-x64-[0-9a-f]{64}\)/);
    expect(run.stdout).toMatch(/Actions cache: saved Pulumi plugins and policy packs in .*home\/\.pulumi \(/);
    expect(service.entries.filter((e) => e.archive).map((e) => /^pulumi-stack-action-v1-([a-z]+)-linux-/.exec(e.key)?.[1])).toEqual(['dependencies', 'plugins']);
    // Every call of the service carried the runner's token; the service refused nothing.
    expect(service.requests.filter((r) => r.call).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(service.refused).toEqual([]);
  }, 300_000);

  it('restores both on the next fresh runner: no pip, no download, nothing saved again', async () => {
    const run = await preview({ ...service.env, ...freshRunner() });
    expect(errorsOf(run)).toEqual([]);
    expect(warnings(run)).toEqual([]);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 6 });
    expect(installedPip(run)).toBe(false);
    expect(mirror.downloads()).toBe(1);
    expect(run.stdout).toMatch(/Actions cache: restored Python virtual environment venv \(pip\) \(.* s; key /);
    expect(run.stdout).toMatch(/Actions cache: restored Pulumi plugins and policy packs/);
    expect(run.stdout).not.toContain('Actions cache: saved');
    expect(service.entries).toHaveLength(2);
    // The environment is the one restored to its own path, which the program ran in.
    expect(fs.existsSync(path.join(venv(), 'bin', 'python'))).toBe(true);
  }, 300_000);

  it('installs again for a changed requirements.txt, and saves nothing from a comment command', async () => {
    fs.appendFileSync(path.join(ws.root, ws.workDir, 'requirements.txt'), '# changed\n');
    const run = await preview({ ...service.env, ...freshRunner() }, 'issue_comment');
    expect(errorsOf(run)).toEqual([]);
    expect(warnings(run)).toEqual([]);
    expect(installedPip(run)).toBe(true);
    expect(mirror.downloads()).toBe(1);
    expect(run.stdout).toContain("Actions cache: nothing saved: runs on issue_comment events use the default branch's cache scope");
    expect(service.entries).toHaveLength(2);
  }, 300_000);
});

describe('a cache service that fails', () => {
  it('that cannot be reached: one warning, and the run goes on as without a cache', async () => {
    const closed = await unusedPort();
    const run = await preview({ ...service.env, ACTIONS_RESULTS_URL: `http://127.0.0.1:${closed}/`, ...freshRunner(true) });
    expect(run.code).toBe(0);
    expect(errorsOf(run)).toEqual([]);
    expect(warnings(run)).toEqual([expect.stringMatching(/^The Actions cache could not be used \(.*ECONNREFUSED.*\): the job goes on without it, and nothing is saved to it\.$/)]);
    // The plugin came from its download instead.
    expect(mirror.downloads()).toBe(2);
    expect(run.stdout).not.toContain('Actions cache: saved');
  }, 300_000);

  it('that never answers: given up at the time budget, one warning, and the run goes on', async () => {
    service.fault = 'hang';
    try {
      const started = Date.now();
      const run = await preview({ ...service.env, ...freshRunner(true) });
      expect(run.code).toBe(0);
      expect(errorsOf(run)).toEqual([]);
      expect(warnings(run)).toEqual(['The Actions cache could not be used (the cache service did not finish restoring within 30 s): the job goes on without it, and nothing is saved to it.']);
      expect(mirror.downloads()).toBe(3);
      expect(Date.now() - started).toBeLessThan(90_000);
    } finally {
      service.fault = undefined;
    }
  }, 300_000);
});

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
