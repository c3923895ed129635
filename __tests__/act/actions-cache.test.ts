// A fresh runner as fast as a warm one, under nektos/act, whose built-in cache server is an
// implementation of the protocol GitHub Enterprise Server serves that nobody here wrote. One workflow
// runs twice, sharing act's cache folder; each run is a new machine: a new, empty home folder (no
// plugins, no npm or pip cache, nothing the action remembered) and a new workspace (act gives each
// run a folder of its own, at another path). The program is the TypeScript example with a package
// that names a real provider plugin (built from the Pulumi Go SDK, served by a local mirror the CLI
// is pointed at), so `command: install` downloads it, and a later `run: pulumi …` step finds it.
// The first run installs, downloads and saves; the second restores both and installs nothing; a
// third, after a commit that changes the lock file, installs again (the plugins still restored).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyExample } from '../support/e2e.js';
import { actionSteps, addWorkflow, jobOf, pushToMain, resultOf, startActSuite, stepOf, type ActRepository, type ActRun, type ActSuite } from '../support/act.js';
import { startPluginMirror, type PluginMirror } from '../support/plugin-mirror.js';

const WORKFLOW = `
name: fresh runner
on: push
permissions:
  contents: read
jobs:
  preview:
    runs-on: ubuntu-latest
    env:
      PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - id: install
        uses: octo-org/pulumi-stack-action@v1
        with:
          command: install
          work-dir: infra
      - id: plugins
        run: pulumi plugin ls
      - id: preview
        uses: octo-org/pulumi-stack-action@v1
        with:
          command: preview
          stack: dev
          work-dir: infra
          comment-on-pr: false
`;

let suite: ActSuite;
let mirror: PluginMirror;
let repo: ActRepository;
let cacheFolder: string;
let home: string;

/**
 * The TypeScript example, and a package of the repository's that names the plugin in its
 * package.json as a provider's SDK does, which is how the CLI learns what a Node.js program needs.
 * The program registers the plugin's resource itself.
 */
function layout(dir: string, plugin: { name: string; version: string }): void {
  const infra = path.join(dir, 'infra');
  copyExample('typescript', infra);
  const sdk = path.join(dir, 'packages', `${plugin.name}-sdk`);
  fs.mkdirSync(sdk, { recursive: true });
  fs.writeFileSync(
    path.join(sdk, 'package.json'),
    JSON.stringify({ name: `${plugin.name}-sdk`, version: plugin.version, pulumi: { resource: true, name: plugin.name, version: plugin.version } }, null, 2),
  );
  // As `npm install ../packages/<sdk>` records a local package: a link in node_modules.
  const spec = `file:../packages/${plugin.name}-sdk`;
  const pkg = JSON.parse(fs.readFileSync(path.join(infra, 'package.json'), 'utf8'));
  pkg.dependencies[`${plugin.name}-sdk`] = spec;
  fs.writeFileSync(path.join(infra, 'package.json'), JSON.stringify(pkg, null, 2));
  const lock = JSON.parse(fs.readFileSync(path.join(infra, 'package-lock.json'), 'utf8'));
  lock.packages[''].dependencies[`${plugin.name}-sdk`] = spec;
  lock.packages[`../packages/${plugin.name}-sdk`] = { version: plugin.version };
  lock.packages[`node_modules/${plugin.name}-sdk`] = { resolved: `../packages/${plugin.name}-sdk`, link: true };
  fs.writeFileSync(path.join(infra, 'package-lock.json'), JSON.stringify(lock, null, 2));
  fs.appendFileSync(
    path.join(infra, 'index.ts'),
    [
      'class Thing extends pulumi.CustomResource {',
      '  constructor(name: string) {',
      `    super("${plugin.name}:index:Thing", name, { label: "cached" }, { version: "${plugin.version}" });`,
      '  }',
      '}',
      'new Thing("thing");',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  [suite, mirror] = await Promise.all([startActSuite(), startPluginMirror()]);
  repo = suite.repository({ layout: (dir) => layout(dir, mirror.plugin) });
  cacheFolder = path.join(path.dirname(repo.dir), 'actcache');
  home = path.join(path.dirname(repo.dir), 'home');
}, 300_000);

afterAll(async () => {
  await Promise.all([suite?.close(), mirror?.close()]);
});

/**
 * One run on a new machine: the same home folder's path, emptied. The push is GitHub's example, of
 * the commit the checkout copies (as GitHub's `after` is the pushed commit, which act makes GITHUB_SHA):
 * the action saves nothing from a checkout of another commit.
 */
function runOnFreshRunner(workflow: string): Promise<ActRun> {
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home);
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
  return suite.run(repo, {
    workflow,
    event: 'push',
    payload: { ...pushToMain(), after: head },
    cacheServer: cacheFolder,
    env: {
      HOME: home,
      // The CLI finds its home from the system's user database, not HOME.
      PULUMI_HOME: path.join(home, '.pulumi'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      npm_config_cache: path.join(home, '.npm'),
      PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: mirror.overrides,
      // The suite turns plugin downloads off for every other test.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'false',
    },
  });
}

const warningsIn = (run: ActRun) => run.log.split('\n').filter((line) => line.includes('"command":"warning"'));

describe("a workflow run twice on fresh runners, sharing act's cache", () => {
  let workflow: string;

  it('installs the packages and downloads the plugin on the first run, which later steps find, and saves both', async () => {
    workflow = addWorkflow(repo, 'fresh-runner.yml', WORKFLOW);
    const run = await runOnFreshRunner(workflow);
    const job = jobOf(run, 'preview');
    expect(resultOf(run, job)).toEqual({ job: job.name, result: 'success' });
    const [install, preview] = actionSteps(job);
    expect(install!.output).toContain('$ npm ci --no-audit --no-fund');
    expect(install!.output).toMatch(/Actions cache: saved Node\.js packages \(npm ci\) \(/);
    expect(install!.output).toMatch(/Actions cache: saved Pulumi plugins and policy packs in /);
    expect(mirror.downloads()).toBe(1);
    expect(stepOf(job, 'plugins').output).toMatch(new RegExp(`${mirror.plugin.name}\\s+resource\\s+${mirror.plugin.version.replace(/\./g, '\\.')}`));
    // The preview after it finds everything in place, and has nothing new to save.
    expect(preview!.output).toContain('Node.js packages (npm ci): up to date, reused');
    expect(preview!.output).not.toContain('Actions cache: saved');
    expect(preview!.outputs.changes).toBeDefined();
    expect(JSON.parse(preview!.outputs.changes!)).toMatchObject({ create: 6 });
    expect(warningsIn(run)).toEqual([]);
    expect(fs.readdirSync(cacheFolder).length).toBeGreaterThan(0);
  }, 900_000);

  it('restores both on the next fresh runner, in another workspace: no npm, no download, nothing saved', async () => {
    const run = await runOnFreshRunner(workflow);
    const job = jobOf(run, 'preview');
    expect(resultOf(run, job)).toEqual({ job: job.name, result: 'success' });
    const [install, preview] = actionSteps(job);
    expect(install!.output).not.toContain('$ npm ci');
    expect(install!.output).toMatch(/Actions cache: restored Node\.js packages \(npm ci\) \(/);
    expect(install!.output).toMatch(/Actions cache: restored Pulumi plugins and policy packs in /);
    expect(mirror.downloads()).toBe(1);
    expect(stepOf(job, 'plugins').output).toMatch(new RegExp(`${mirror.plugin.name}\\s+resource\\s+${mirror.plugin.version.replace(/\./g, '\\.')}`));
    expect(JSON.parse(preview!.outputs.changes!)).toMatchObject({ create: 6 });
    expect(`${install!.output}${preview!.output}`).not.toContain('Actions cache: saved');
    expect(warningsIn(run)).toEqual([]);
  }, 900_000);

  it('installs again once the lock file changed, and saves that install; the plugins are still restored', async () => {
    // The project's version, in package.json and its lock alike: npm ci accepts it, and the lock is another file.
    const infra = path.join(repo.dir, 'infra');
    for (const file of ['package.json', 'package-lock.json']) {
      const json = JSON.parse(fs.readFileSync(path.join(infra, file), 'utf8'));
      json.version = '1.0.1';
      if (json.packages?.['']) json.packages[''].version = '1.0.1';
      fs.writeFileSync(path.join(infra, file), JSON.stringify(json, null, 2));
    }
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=act suite', '-c', 'user.email=act@example.com', ...args], { cwd: repo.dir });
    git('add', '-A');
    git('commit', '-q', '-m', 'a new version of the lock file');
    const run = await runOnFreshRunner(workflow);
    const job = jobOf(run, 'preview');
    expect(resultOf(run, job)).toEqual({ job: job.name, result: 'success' });
    const [install, preview] = actionSteps(job);
    expect(install!.output).toContain('$ npm ci --no-audit --no-fund');
    expect(install!.output).not.toMatch(/Actions cache: restored Node\.js packages/);
    expect(install!.output).toMatch(/Actions cache: saved Node\.js packages \(npm ci\) \(/);
    expect(install!.output).toMatch(/Actions cache: restored Pulumi plugins and policy packs in /);
    expect(mirror.downloads()).toBe(1);
    expect(JSON.parse(preview!.outputs.changes!)).toMatchObject({ create: 6 });
    expect(warningsIn(run)).toEqual([]);
  }, 900_000);
});
