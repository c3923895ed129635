// The inputs that are the CLI's own flags (those users of pulumi/actions rely on), against the real
// CLI: each one's effect where it has one to see (an excluded resource not created, a protected one
// kept, a removed stack gone, outputs out of the log but still step outputs), and where it has none
// (progress dots, debug output), the arguments a recording `pulumi` first on PATH saw. One program,
// one backend, a stack per case.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorsOf, fakeToolCache, makeWorkspace, runStep, type StepResult, type Workspace } from '../support/e2e.js';

let ws: Workspace;
let log: string;
let wrappedPath: string;

// Two more resources for these cases, each only where its config asks for it.
const EXTRA_RESOURCES = `
if config.get_bool("protectedFile"):
    File("kept", path=os.path.join(out_dir, "kept.txt"), content="kept\\n", opts=pulumi.ResourceOptions(protect=True))
if config.get_bool("brokenFile"):
    File("broken", path="/dev/null/broken.txt", content="never written\\n")
`;

beforeAll(() => {
  ws = makeWorkspace('python');
  fs.appendFileSync(path.join(ws.root, ws.workDir, '__main__.py'), EXTRA_RESOURCES);
  const realPulumi = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
  const bin = path.join(ws.root, '.recording', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  log = path.join(ws.root, '.recording', 'calls.log');
  fs.writeFileSync(path.join(bin, 'pulumi'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log}"\nexec "${realPulumi}" "$@"\n`, { mode: 0o755 });
  wrappedPath = [bin, process.env.PATH].join(path.delimiter);
});

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

interface Step extends StepResult {
  /** The engine commands the step ran, each with its arguments. */
  engineCalls: string[];
}

/** Runs a step on `stack`, each of its files in its own folder, with the recording `pulumi`. */
async function step(stack: string, inputs: Record<string, string>, config: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<Step> {
  fs.rmSync(log, { force: true });
  const run = await runStep(ws, {
    inputs: { stack, config: JSON.stringify({ outDir: outDir(stack), ...config }), ...inputs },
    env: { PATH: wrappedPath, ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  return { ...run, engineCalls: calls.filter((c) => /^(preview|up|refresh|destroy) /.test(c)) };
}

const outDir = (stack: string) => path.join(ws.outDir, stack);
const exists = (stack: string, file: string) => fs.existsSync(path.join(outDir(stack), file));
const urn = (stack: string, type: 'File' | 'Manifest', name: string) => `urn:pulumi:${stack}::files-py::pulumi-python:dynamic/files:${type}::${name}`;
const stackInBackend = (stack: string) => fs.existsSync(path.join(ws.stateDir, '.pulumi', 'stacks', 'files-py', `${stack}.json`));
const APPROVED = { PULUMI_DESTROY_APPROVED: 'true' };

describe('resource selection', () => {
  it('exclude with exclude-dependents leaves a resource and what depends on it uncreated; target-dependents brings them in', async () => {
    const excluded = await step('sel', { command: 'up', exclude: urn('sel', 'File', 'file-1'), 'exclude-dependents': 'true' }, { fileCount: 2 });
    expect(errorsOf(excluded)).toEqual([]);
    expect(excluded.engineCalls[0]).toContain(`--exclude ${urn('sel', 'File', 'file-1')} --exclude-dependents`);
    expect([exists('sel', 'file-0.txt'), exists('sel', 'file-1.txt'), exists('sel', 'manifest.json')]).toEqual([true, false, false]);

    const targeted = await step('sel', { command: 'up', target: urn('sel', 'File', 'file-1'), 'target-dependents': 'true' }, { fileCount: 2 });
    expect(errorsOf(targeted)).toEqual([]);
    // The manifest depends on every file: only target-dependents brings it in.
    expect([exists('sel', 'file-1.txt'), exists('sel', 'manifest.json')]).toEqual([true, true]);
    expect(targeted.engineCalls[0]).toContain(`--target ${urn('sel', 'File', 'file-1')} --target-dependents`);
  }, 300_000);

  it('suppress-outputs keeps the outputs out of the log, not out of the step outputs', async () => {
    const shown = await step('sel', { command: 'up' }, { fileCount: 2 });
    expect(shown.stdout).toContain('hello, sel!');
    const suppressed = await step('sel', { command: 'up', 'suppress-outputs': 'true', 'suppress-progress': 'true' }, { fileCount: 2 });
    expect(errorsOf(suppressed)).toEqual([]);
    expect(suppressed.engineCalls[0]).toContain('--suppress-outputs --suppress-progress');
    expect(suppressed.stdout).not.toContain('hello, sel!');
    expect(suppressed.outputs).toMatchObject({ greeting: 'hello, sel!', connection: '[secret]' });
  }, 300_000);
});

describe('destroy', () => {
  it('exclude-protected destroys all but the protected resource', async () => {
    expect((await step('keep', { command: 'up' }, { fileCount: 1, protectedFile: true })).code).toBe(0);
    const destroyed = await step('keep', { command: 'destroy', 'exclude-protected': 'true' }, { fileCount: 1, protectedFile: true }, APPROVED);
    expect(errorsOf(destroyed)).toEqual([]);
    expect(destroyed.engineCalls[0]).toContain('--exclude-protected');
    expect([exists('keep', 'kept.txt'), exists('keep', 'file-0.txt'), exists('keep', 'manifest.json')]).toEqual([true, false, false]);
  }, 300_000);

  it('remove takes the stack away after an approved destroy, never after a refused one', async () => {
    expect((await step('gone', { command: 'up' }, { fileCount: 1 })).code).toBe(0);
    const refused = await step('gone', { command: 'destroy', remove: 'true' }, { fileCount: 1 });
    expect(errorsOf(refused)[0]).toMatch(/needs approval/);
    expect(refused.engineCalls.join('\n')).not.toContain('--remove');
    expect([stackInBackend('gone'), exists('gone', 'file-0.txt')]).toEqual([true, true]);

    const removed = await step('gone', { command: 'destroy', remove: 'true' }, { fileCount: 1 }, APPROVED);
    expect(errorsOf(removed)).toEqual([]);
    expect(removed.engineCalls[0]).toContain('--remove');
    expect([stackInBackend('gone'), exists('gone', 'file-0.txt')]).toEqual([false, false]);
  }, 300_000);
});

describe('errors, with colour on', () => {
  it('continue-on-error creates what it can past a failed resource; the report has no colour codes', async () => {
    const run = await step('broken', { command: 'up', 'continue-on-error': 'true', color: 'always', parallel: '1' }, { fileCount: 2, brokenFile: true, delayMs: 300 });
    expect(run.code).toBe(1);
    // The broken file fails while the others are still being written (300 ms each): without
    // continue-on-error the manifest, which waits for them, is never created.
    expect([exists('broken', 'file-0.txt'), exists('broken', 'file-1.txt'), exists('broken', 'manifest.json')]).toEqual([true, true, true]);
    expect(run.engineCalls[0]).toMatch(/--color always .*--continue-on-error/);
    // The log is in colour; what the action read of it is not.
    expect(run.stdout).toContain('\x1b[');
    expect(errorsOf(run)[0]).toMatch(/File exists: '\/dev\/null'/);
    for (const text of [errorsOf(run).join('\n'), run.summary]) expect(text).not.toMatch(/\x1b\[|<\{%/);
  }, 300_000);

  it('still recognises a missing stack and a lock', async () => {
    const missing = await step('nope', { command: 'refresh', color: 'always' });
    // Pulumi's own line, found and quoted (the CLI leaves this one uncoloured; the lock's is coloured).
    expect(errorsOf(missing)[0]).toMatch(/^::error::stack: Stack 'nope' does not exist \(error: no stack named 'nope' found\), and this command does not create stacks/);

    // A live process of this host holds it: no stale lock, so it is another run's.
    const locks = path.join(ws.stateDir, '.pulumi', 'locks', 'organization', 'files-py', 'sel');
    fs.mkdirSync(locks, { recursive: true });
    fs.writeFileSync(path.join(locks, 'c0ffee-live.json'), JSON.stringify({ pid: process.pid, username: os.userInfo().username, hostname: os.hostname(), timestamp: new Date().toISOString() }));
    try {
      const locked = await step('sel', { command: 'up', color: 'always', 'lock-timeout': '0' }, { fileCount: 2 });
      expect(errorsOf(locked)[0]).toMatch(/the stack is locked by another update: error: the stack is currently locked by 1 lock\(s\)/);
    } finally {
      fs.rmSync(locks, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('the engine log', () => {
  it('log-verbosity puts the verbose log in the step log, secrets masked; log-flow and debug reach the CLI', async () => {
    // A secret the program uses as plain text: the engine's verbose log shows it among the inputs.
    const message = { value: 'verbose-log-secret-7f3a', secret: true };
    const run = await step('verbose', { command: 'preview', 'log-verbosity': '9', 'log-flow': 'true', debug: 'true' }, { fileCount: 1, message });
    expect(errorsOf(run)).toEqual([]);
    expect(run.engineCalls.at(-1)).toContain('--color never -v 9 --logtostderr --logflow --debug');
    // runStep fails on a secret anywhere in the log; this is where it would have been.
    expect(run.stdout).toMatch(/^\{"time":.*"level":"INFO".*\*\*\* #0/m);
  }, 300_000);

  it('policy-pack-configs reach the CLI after their packs, as absolute paths', async () => {
    fs.writeFileSync(path.join(ws.root, ws.workDir, 'pack-config.json'), '{}');
    const run = await step('sel', { command: 'preview', 'policy-packs': 'no-such-pack', 'policy-pack-configs': 'pack-config.json' }, { fileCount: 2 });
    const config = fs.realpathSync(path.join(ws.root, ws.workDir, 'pack-config.json'));
    expect(run.engineCalls[0]).toContain(`--policy-pack no-such-pack --policy-pack-config ${config}`);
  }, 300_000);
});

describe('the CLI and the report', () => {
  it('pulumi-version-file picks the CLI', async () => {
    const { toolCache, root } = fakeToolCache(ws, '3.999.0');
    fs.writeFileSync(path.join(ws.root, '.pulumi-version'), 'v3.999.0\n');
    const run = await step('sel', { command: 'preview', 'pulumi-version-file': '.pulumi-version' }, { fileCount: 2 }, { RUNNER_TOOL_CACHE: toolCache });
    expect(errorsOf(run)).toEqual([]);
    expect(run.stdout).toContain(`Pulumi CLI v3.999.0 from tool cache (${root})`);
  }, 300_000);

  it('comment-on-summary: false writes no job summary', async () => {
    const run = await step('sel', { command: 'preview', 'comment-on-summary': 'false' }, { fileCount: 2 });
    expect(errorsOf(run)).toEqual([]);
    expect(run.summary).toBe('');
    expect((await step('sel', { command: 'preview' }, { fileCount: 2 })).summary).toContain('sel');
  }, 300_000);
});
