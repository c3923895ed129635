// What a program prints and exports is someone else's text, and the processes the action starts are
// someone else's code. Through the bundled action, the real CLI and a program that tries every trick:
// no line of its output is a workflow command to the runner (read by the runner's own parsing rules,
// __tests__/support/workflow-commands.ts; the act suite checks the same under act), no stack output
// name writes a step output of another name, no child process sees the runner's private variables
// (the version check of a CLI without build information included), not even while the action itself
// uses the cache service with them, a multi-line secret is masked on every line, and an endless line
// is cut without stalling the action.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startAction } from '../../scripts/runner.mjs';
import { startCacheService, type CacheServiceStandIn } from '../support/cache-service.js';
import { errorsOf, makeWorkspace, prepareStep, runStep, type Workspace } from '../support/e2e.js';
import { workflowCommands } from '../support/workflow-commands.js';

let ws: Workspace;
let bin: string;
let envLog: string;
let pythonStarts: string;
let cache: CacheServiceStandIn;

const RUNTIME_TOKEN = 'runtime-token-never-shown';
/**
 * Variables of the runner's that no child may see, with values a test can look for. The cache
 * service's are a live one's (a stand-in of GitHub.com's), which the action itself uses.
 */
let RUNNER_PRIVATE: Record<string, string>;
/** And the ones providers log in with, which children must keep. */
const ID_TOKEN_REQUEST = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?audience=x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request' };

const PEM = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu', '-----END PRIVATE KEY-----'].join('\n');

/** The example program, made to try what a hostile program would; each trick is switched on by config. */
const HOSTILE_PROGRAM = `
import json, sys, time

# Every process the action starts runs this program, or starts the CLI that does: what does it see?
with open(os.environ["UNTRUSTED_ENV_LOG"], "a") as log:
    log.write(json.dumps(sorted(os.environ)) + "\\n")
if os.environ.get("GITHUB_ENV"):
    with open(os.environ["GITHUB_ENV"], "a") as env:
        env.write("PULUMI_DESTROY_APPROVED=true\\n")

if config.get_bool("printCommands"):
    for line in [
        "::warning file=main.py,line=1::fake annotation",
        "    ::add-mask::hello",
        "::error::fake error",
        "::stop-commands::silenced",
        "##[set-output name=forged;]from-the-program",
        "::set-output name=forged2::from-the-program",
        "::group::fake group",
    ]:
        print(line)

if config.get_bool("exportHostileNames"):
    pulumi.export("a=1\\ncomment-url=https://evil.example/forged", "x")
    pulumi.export("Comment-URL", "https://evil.example/forged-too")
    pulumi.export("ok_name", "kept")

pem = config.get_secret("pem")
if pem is not None:
    pem.apply(lambda value: print(value))

mib = config.get_int("endlessLineMiB")
if mib:
    open(config.require("endlessLineStarted"), "w").close()
    chunk = "x" * (1 << 20)
    for _ in range(mib):
        sys.stdout.write(chunk)
    sys.stdout.write("\\nafter the endless line\\n")
    sys.stdout.flush()
    time.sleep(30)
`;

beforeAll(async () => {
  cache = await startCacheService(RUNTIME_TOKEN);
  RUNNER_PRIVATE = {
    GITHUB_PATH: '',
    GITHUB_STATE: '',
    ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
    ACTIONS_RUNTIME_URL: 'https://pipelines.example/runtime/',
    ACTIONS_CACHE_URL: 'https://artifactcache.example/',
    ACTIONS_RESULTS_URL: cache.url,
  };
  ws = makeWorkspace('python');
  fs.appendFileSync(path.join(ws.root, ws.workDir, '__main__.py'), HOSTILE_PROGRAM);
  envLog = path.join(ws.root, 'env.log');
  // A `pulumi` with no Go build information, as a wrapper or an asdf or mise shim is: the action
  // runs `pulumi version` on it. It records what each CLI process was started with.
  const realPulumi = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
  bin = path.join(ws.root, '.shim');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'pulumi'),
    `#!/bin/sh\nUNTRUSTED_ENV_LOG="${envLog}" "${process.execPath}" -e 'require("fs").appendFileSync(process.env.UNTRUSTED_ENV_LOG, JSON.stringify(Object.keys(process.env).sort()) + "\\n")'\nexec "${realPulumi}" "$@"\n`,
    { mode: 0o755 },
  );
  // And a python3 that does the same, and notes when it started: the installer's interpreter, which
  // runs while the action's own cache requests are in flight.
  pythonStarts = path.join(ws.root, 'python-starts.log');
  const realPython = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
  fs.writeFileSync(
    path.join(bin, 'python3'),
    `#!/bin/sh\n"${process.execPath}" -e 'const fs = require("fs"); fs.appendFileSync("${envLog}", JSON.stringify(Object.keys(process.env).sort()) + "\\n"); fs.appendFileSync("${pythonStarts}", Date.now() + "\\n")'\nexec "${realPython}" "$@"\n`,
    { mode: 0o755 },
  );
  // And a tar that does the same: the cache client's, which packs and unpacks what it keeps.
  const realTar = execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim();
  fs.writeFileSync(
    path.join(bin, 'tar'),
    `#!/bin/sh\n"${process.execPath}" -e 'require("fs").appendFileSync("${envLog}", JSON.stringify(Object.keys(process.env).sort()) + "\\n")'\nexec "${realTar}" "$@"\n`,
    { mode: 0o755 },
  );
});

afterAll(async () => {
  await cache?.close();
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
});

/** A step whose runner gives every private channel, the CLI being the shim, the version cache empty. */
function hostileStep(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const runnerFiles = path.join(ws.root, `.runner-files-${Date.now()}`);
  fs.mkdirSync(runnerFiles);
  const githubEnv = path.join(runnerFiles, 'env');
  fs.writeFileSync(githubEnv, '');
  const env = {
    ...RUNNER_PRIVATE,
    GITHUB_PATH: path.join(runnerFiles, 'path'),
    GITHUB_STATE: path.join(runnerFiles, 'state'),
    GITHUB_ENV: githubEnv,
    ...ID_TOKEN_REQUEST,
    // Not private: which protocol the cache service speaks.
    ACTIONS_CACHE_SERVICE_V2: 'True',
    PATH: [bin, process.env.PATH].join(path.delimiter),
    UNTRUSTED_ENV_LOG: envLog,
    XDG_CACHE_HOME: path.join(runnerFiles, 'cache'),
    ...extraEnv,
  };
  return { inputs: { stack: 'dev', ...inputs }, env, githubEnv };
}

const outDir = () => ws.outDir;

describe('a hostile program', () => {
  it("reaches none of the runner's controls with what it prints, and the action's own commands still work", async () => {
    const step = hostileStep({ command: 'up', config: JSON.stringify({ outDir: outDir(), printCommands: true, token: { value: 'tok-3f9a1c', secret: true } }) });
    const run = await runStep(ws, step);
    expect(errorsOf(run)).toEqual([]);
    const commands = workflowCommands(run.stdout).map((c) => `${c.name}::${c.data}`);
    // Only the action's own: its masks (of the secret, and of the cache's signed URLs), its log groups.
    const own = (c: string) => /^(add-mask::tok-3f9a1c|group::(Dependencies: |pulumi ).*|endgroup::)$/.test(c) || cache.signatures.some((sig) => c === `add-mask::${sig}`);
    expect(commands.filter((c) => !own(c))).toEqual([]);
    expect(commands).toContain('add-mask::tok-3f9a1c');
    // The lines are still there to read.
    expect(run.stdout).toContain('::warning file=main.py,line=1::fake annotation');
    expect(run.outputs.forged).toBeUndefined();
    expect(run.outputs.forged2).toBeUndefined();
  }, 300_000);

  it("gets no child process the runner's private variables, not even the first version check's, nor the installer while the action uses the cache service, nor the cache client's tar; the ID-token request stays", async () => {
    fs.rmSync(envLog, { force: true });
    fs.rmSync(pythonStarts, { force: true });
    // A fresh install (nothing in the cache, no environment), while the action's lookup of the
    // plugins is kept in flight: the installer's python runs beside the cache client, which holds the token.
    cache.entries.length = 0;
    fs.rmSync(path.join(ws.root, ws.workDir, 'venv'), { recursive: true, force: true });
    cache.slow = { keys: /-plugins-/, ms: 4_000 };
    const step = hostileStep({ command: 'preview', config: JSON.stringify({ outDir: outDir(), token: { value: 'tok-3f9a1c', secret: true } }) });
    const startedAt = Date.now();
    const run = await runStep(ws, step).finally(() => (cache.slow = undefined));
    expect(errorsOf(run)).toEqual([]);
    const seen = fs
      .readFileSync(envLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
    // The version check, python (asked what it is, then making the environment), the engine's
    // preview, the program under it, and the tar that packed the environment for the cache.
    expect(seen.length).toBeGreaterThanOrEqual(6);
    for (const names of seen) {
      expect(names.filter((name) => name.startsWith('INPUT_') || name in RUNNER_PRIVATE || ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY'].includes(name))).toEqual([]);
      expect(names).toEqual(expect.arrayContaining(Object.keys(ID_TOKEN_REQUEST)));
    }
    // The action did use the service, with the token no child saw, and a python ran while it waited for an answer.
    const lookup = cache.requests.find((r) => r.call === 'GetCacheEntryDownloadURL' && /-plugins-/.test(r.key ?? '') && r.at >= startedAt);
    expect(lookup).toMatchObject({ authorization: `Bearer ${RUNTIME_TOKEN}` });
    const starts = fs.readFileSync(pythonStarts, 'utf8').trim().split('\n').map(Number);
    expect(starts.some((at) => at > lookup!.at && at < lookup!.answeredAt!)).toBe(true);
    expect(run.stdout).toContain('Actions cache: saved Python virtual environment venv (pip)');
    // So the program could not approve a later step's destroy.
    expect(fs.readFileSync(step.githubEnv, 'utf8')).toBe('');
  }, 300_000);

  it('cannot name a stack output so that it writes or stands in for another step output', async () => {
    const run = await runStep(ws, hostileStep({ command: 'up', config: JSON.stringify({ outDir: outDir(), exportHostileNames: true }) }));
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs['comment-url']).toBeUndefined();
    expect(run.outputs.a).toBeUndefined();
    expect(run.outputs.ok_name).toBe('kept');
    expect(Object.keys(run.outputs).filter((name) => !/^[A-Za-z0-9_-]+$/.test(name))).toEqual([]);
    // Every output is still in `outputs`, and one warning says which are only there.
    expect(JSON.parse(run.outputs.outputs!)).toMatchObject({ 'a=1\ncomment-url=https://evil.example/forged': 'x', 'Comment-URL': 'https://evil.example/forged-too' });
    expect(
      workflowCommands(run.stdout)
        .filter((c) => c.name === 'warning')
        .map((c) => c.data),
    ).toEqual([expect.stringContaining('2 stack output(s) are only in the')]);
  }, 300_000);

  it('prints a multi-line secret without any of its lines', async () => {
    const run = await runStep(ws, hostileStep({ command: 'preview', config: JSON.stringify({ outDir: outDir(), pem: { value: PEM, secret: true } }) }));
    expect(errorsOf(run)).toEqual([]);
    const shown = run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const line of PEM.split('\n').filter((l) => /[A-Za-z0-9]/.test(l))) expect(shown).not.toContain(line);
    expect(run.summary).not.toMatch(/MIIEvQ|VJTUt9/);
    // And the runner is asked to mask each line too.
    const masks = workflowCommands(run.stdout)
      .filter((c) => c.name === 'add-mask')
      .map((c) => c.data);
    expect(masks).toEqual(expect.arrayContaining(['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu']));
  }, 300_000);
});

describe('an endless line', () => {
  it('is cut, and a cancel during it is answered at once', async () => {
    const marker = path.join(ws.root, 'endless-line-started');
    const step = hostileStep({ command: 'preview', config: JSON.stringify({ outDir: outDir(), endlessLineMiB: 48, endlessLineStarted: marker }) });
    const { env } = prepareStep(ws, step);
    let answeredAt = 0;
    const started = startAction(env, {
      onStdout: (text: string) => {
        if (answeredAt === 0 && text.includes('Received SIGINT')) answeredAt = Date.now();
      },
    });
    // Cancelled while the program is writing its line, and the action reading it.
    while (!fs.existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sentAt = Date.now();
    started.child.kill('SIGINT');
    const run = await started.done;
    expect(answeredAt).toBeGreaterThan(0);
    // Within a second (about 20 ms here): the runner's second signal comes 7.5 s after the first.
    expect(answeredAt - sentAt).toBeLessThan(1_000);
    const longest = Math.max(...run.stdout.split('\n').map((line) => line.length));
    expect(longest).toBeLessThan(70 * 1024);
    expect(run.stdout).toMatch(/x … \(\d+ more characters cut\)/);
    expect(run.stdout.length).toBeLessThan(2 << 20);
    expect(errorsOf(run)).toEqual([expect.stringContaining('cancelled')]);
  }, 300_000);
});
