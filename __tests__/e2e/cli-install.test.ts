// The CLI's fallback install, with no `pulumi` on PATH: the bundled action downloads the release
// archive and its checksums file from a local server laid out like Pulumi's download site
// (PULUMI_DOWNLOAD_URL), and installs only an archive whose SHA-256 the checksums file gives. The
// genuine archive is built from the real toolchain (pulumi/pulumi, pulumi/pulumi-language-python,
// …, as Pulumi packs its releases); a tampered one holds a `pulumi` that leaves a mark if anything
// runs it. With the Actions cache (a stand-in of GitHub.com's service), the installed CLI is saved,
// and a fresh runner restores it instead of downloading it; `command: install` puts it on PATH for
// the job's later steps.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { startCacheService } from '../support/cache-service.js';
import { errorsOf, makeWorkspace, runStep, snapshotState, type Workspace } from '../support/e2e.js';

const VERSION = '3.274.1';
const ARCHIVE = `pulumi-v${VERSION}-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}.tar.gz`;
const CHECKSUMS = `pulumi-${VERSION}-checksums.txt`;
/** What the other platforms' lines of a checksums file look like; none of them is this machine's. */
const OTHER_LINES = [`${'1'.repeat(64)}  pulumi-v${VERSION}-windows-x64.zip`, `${'2'.repeat(64)}  pulumi-v${VERSION}-darwin-arm64.tar.gz`];

let ws: Workspace;
let releases: string;
let server: http.Server;
let baseUrl: string;
/** Every path the server was asked for, in order. */
const requests: string[] = [];
/** PATH without the toolchain's folder (scripts/test.mjs puts it first) or any other `pulumi`. */
let pathWithoutPulumi: string;
/** Written by the tampered archive's `pulumi`, should anything run it. */
let ranMark: string;

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A release archive as Pulumi lays it out: a `pulumi/` folder holding the CLI and its plugins. */
async function packRelease(binaries: string, to: string): Promise<void> {
  const tar = `${to}.tar`;
  // -h: the staging folder holds links to the toolchain, the archive its files.
  execFileSync('tar', ['-h', '-C', binaries, '-cf', tar, 'pulumi']);
  await pipeline(fs.createReadStream(tar), zlib.createGzip({ level: 1 }), fs.createWriteStream(to));
  fs.rmSync(tar);
}

function release(name: string, files: Record<string, string>): void {
  const dir = path.join(releases, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, from] of Object.entries(files)) fs.symlinkSync(from, path.join(dir, file));
}

beforeAll(async () => {
  ws = makeWorkspace('python');
  ranMark = path.join(ws.root, 'tampered-pulumi-ran');
  const toolchain = path.dirname(execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim());
  pathWithoutPulumi = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, 'pulumi')))
    .join(path.delimiter);

  const build = path.join(ws.root, '.build');
  const genuine = path.join(build, 'genuine', 'pulumi');
  fs.mkdirSync(genuine, { recursive: true });
  for (const file of fs.readdirSync(toolchain).filter((f) => f.startsWith('pulumi'))) fs.symlinkSync(path.join(toolchain, file), path.join(genuine, file));
  await packRelease(path.dirname(genuine), path.join(build, ARCHIVE));
  const tampered = path.join(build, 'tampered', 'pulumi');
  fs.mkdirSync(tampered, { recursive: true });
  fs.writeFileSync(path.join(tampered, 'pulumi'), `#!/bin/sh\ntouch "${ranMark}"\necho v${VERSION}\n`, { mode: 0o755 });
  await packRelease(path.dirname(tampered), path.join(build, `tampered-${ARCHIVE}`));

  const genuineLine = `${sha256(path.join(build, ARCHIVE))}  ${ARCHIVE}`;
  fs.writeFileSync(path.join(build, CHECKSUMS), [OTHER_LINES[0], genuineLine, OTHER_LINES[1], ''].join('\n'));
  fs.writeFileSync(path.join(build, `no-entry-${CHECKSUMS}`), [...OTHER_LINES, ''].join('\n'));

  releases = path.join(ws.root, '.releases');
  release('good', { [ARCHIVE]: path.join(build, ARCHIVE), [CHECKSUMS]: path.join(build, CHECKSUMS) });
  release('tampered', { [ARCHIVE]: path.join(build, `tampered-${ARCHIVE}`), [CHECKSUMS]: path.join(build, CHECKSUMS) });
  release('no-entry', { [ARCHIVE]: path.join(build, ARCHIVE), [CHECKSUMS]: path.join(build, `no-entry-${CHECKSUMS}`) });

  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const file = path.join(releases, path.normalize(decodeURIComponent(url)));
    if (!file.startsWith(releases + path.sep) || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
});

/** A preview with no pulumi on PATH, installing from one of the server's release folders. */
function preview(stack: string, site: string, env: Record<string, string>) {
  return runStep(ws, {
    inputs: { command: 'preview', stack, config: JSON.stringify({ outDir: ws.outDir }) },
    env: { PATH: pathWithoutPulumi, PULUMI_DOWNLOAD_URL: `${baseUrl}/${site}/`, ...env },
  });
}

describe('installing the CLI from its release archive', () => {
  it('a genuine archive is checked, installed into the tool cache and runs the step; the next run takes it from the cache', async () => {
    const toolCache = path.join(ws.root, '.toolcache-good');
    const first = await preview('dev', 'good', { RUNNER_TOOL_CACHE: toolCache });
    expect(errorsOf(first)).toEqual([]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.outputs.changes!)).toMatchObject({ create: 5 });
    const root = path.join(toolCache, 'pulumi', VERSION, process.arch);
    expect(first.stdout).toContain(`Pulumi CLI v${VERSION} from ${baseUrl}/good/${ARCHIVE}, SHA-256 checked against ${CHECKSUMS}, installed into ${root}`);
    expect(fs.existsSync(`${root}.complete`)).toBe(true);
    expect(fs.readdirSync(path.join(root, 'bin')).sort()).toEqual(expect.arrayContaining(['pulumi', 'pulumi-language-nodejs', 'pulumi-language-python']));
    expect(requests).toEqual([`/good/${CHECKSUMS}`, `/good/${ARCHIVE}`]);

    const second = await preview('dev', 'good', { RUNNER_TOOL_CACHE: toolCache });
    expect(errorsOf(second)).toEqual([]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Pulumi CLI v${VERSION} from tool cache (${root})`);
    expect(requests).toHaveLength(2);
  }, 300_000);

  it('without a tool cache, the archive is installed into ~/.pulumi/versions/<version>, as before, and reused there', async () => {
    const home = path.join(ws.root, 'home');
    fs.mkdirSync(home);
    requests.length = 0;
    const root = path.join(home, '.pulumi', 'versions', VERSION);
    const first = await preview('dev', 'good', { HOME: home, RUNNER_TOOL_CACHE: '' });
    expect(errorsOf(first)).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`installed into ${root}`);
    expect(fs.existsSync(path.join(root, 'bin', 'pulumi'))).toBe(true);
    expect(requests).toHaveLength(2);
    const second = await preview('dev', 'good', { HOME: home, RUNNER_TOOL_CACHE: '' });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`Pulumi CLI v${VERSION} from ${root}`);
    expect(requests).toHaveLength(2);
  }, 300_000);

  it('a tampered archive is refused: one error, nothing unpacked, run or cached, the state unchanged', async () => {
    const toolCache = path.join(ws.root, '.toolcache-tampered');
    const before = snapshotState(ws);
    const run = await preview('tampered', 'tampered', { RUNNER_TOOL_CACHE: toolCache });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([expect.stringMatching(new RegExp(`${ARCHIVE.replace(/\./g, '\\.')} .*SHA-256 .*not the one ${CHECKSUMS} gives`))]);
    expect(run.stdout).not.toContain('[command]');
    expect(fs.existsSync(ranMark)).toBe(false);
    expect(fs.existsSync(path.join(toolCache, 'pulumi'))).toBe(false);
    expect(snapshotState(ws)).toEqual(before);
  }, 300_000);

  it('a checksums file without an entry for the archive is refused before the archive is downloaded', async () => {
    const toolCache = path.join(ws.root, '.toolcache-no-entry');
    requests.length = 0;
    const run = await preview('no-entry', 'no-entry', { RUNNER_TOOL_CACHE: toolCache });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([expect.stringMatching(new RegExp(`${CHECKSUMS.replace(/\./g, '\\.')} .*has no entry for ${ARCHIVE.replace(/\./g, '\\.')}`))]);
    expect(requests).toEqual([`/no-entry/${CHECKSUMS}`]);
    expect(fs.existsSync(path.join(toolCache, 'pulumi'))).toBe(false);
  }, 300_000);

  it('a version the site does not have: the error names what was fetched', async () => {
    const run = await runStep(ws, {
      inputs: { command: 'preview', stack: 'dev', 'pulumi-version': '3.274.0' },
      env: { PATH: pathWithoutPulumi, PULUMI_DOWNLOAD_URL: `${baseUrl}/good`, RUNNER_TOOL_CACHE: path.join(ws.root, '.toolcache-missing') },
    });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([expect.stringContaining(`installing v3.274.0 failed: ${baseUrl}/good/pulumi-3.274.0-checksums.txt: Unexpected HTTP response: 404): put a matching pulumi on PATH`)]);
  }, 300_000);

  it("with the Actions cache: saved once downloaded, restored on a fresh runner instead of downloaded, and on PATH for the job's later steps", async () => {
    const cache = await startCacheService('cli-cache-token');
    try {
      // A hosted runner's tool cache is always at the same path, and empty on a new machine.
      const toolCache = path.join(ws.root, '.toolcache-cached');
      const root = path.join(toolCache, 'pulumi', VERSION, process.arch);
      const install = (githubPath: string) =>
        runStep(ws, {
          inputs: { command: 'install' },
          env: { PATH: pathWithoutPulumi, PULUMI_DOWNLOAD_URL: `${baseUrl}/good/`, RUNNER_TOOL_CACHE: toolCache, GITHUB_PATH: githubPath, XDG_CACHE_HOME: path.join(toolCache, '.xdg'), ...cache.env },
        });
      requests.length = 0;
      const firstPath = path.join(ws.root, 'github-path-1');
      const first = await install(firstPath);
      expect(errorsOf(first)).toEqual([]);
      expect(requests).toEqual([`/good/${CHECKSUMS}`, `/good/${ARCHIVE}`]);
      expect(first.stdout).toMatch(new RegExp(`Actions cache: saved the Pulumi CLI v${VERSION.replace(/\./g, '\\.')} \\(`));
      expect(fs.readFileSync(firstPath, 'utf8')).toBe(`${path.join(root, 'bin')}\n`);

      fs.rmSync(toolCache, { recursive: true });
      const secondPath = path.join(ws.root, 'github-path-2');
      const second = await install(secondPath);
      expect(errorsOf(second)).toEqual([]);
      expect(requests).toHaveLength(2);
      expect(second.stdout).toContain(`Pulumi CLI v${VERSION} from the Actions cache, restored into ${root}`);
      expect(second.stdout).not.toContain('Actions cache: saved');
      // Whole, as the tool cache marks it, so the next step of the job finds it there.
      expect(fs.existsSync(`${root}.complete`)).toBe(true);
      expect(fs.readFileSync(secondPath, 'utf8')).toBe(`${path.join(root, 'bin')}\n`);
      expect(execFileSync(path.join(root, 'bin', 'pulumi'), ['version'], { encoding: 'utf8' }).trim()).toBe(`v${VERSION}`);
    } finally {
      await cache.close();
    }
  }, 300_000);
});
