// How many `pulumi` processes a step starts, each costing 100 ms or more: at most one version check
// (none once the binary's version is remembered, none for a CLI whose build information names its
// version), no `stack select`, no config call for plain
// values (the action writes them into the stack's file), none for secrets either once the stack's
// file has its passphrase salt (the action encrypts them), and after an update nothing at all (the
// outputs come from the engine's events). Beside an update or a refresh outside a pull request, one
// listing of the stack's tags, for the pull-request lock (its claims of merged pull requests are
// released there). A `pulumi` first on PATH records every call, with its arguments, and runs the
// real CLI.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, fakeToolCache, makeWorkspace, pulumiCli, runStep, type Workspace } from '../support/e2e.js';
import { buildAsPulumiCli, SDK_VERSION_VARIABLE } from '../support/go-cli.js';

let ws: Workspace;
let log: string;
/** The names of the INPUT_* variables each `pulumi` process was started with. */
let inputsLog: string;
let wrapper: string;
let wrappedPath: string;
/** The step outputs of the last step `callsOf` ran. */
let lastOutputs: Record<string, string> = {};
/** Its `stack tag` calls, which run beside the operation, in no fixed order with it. */
let tagCalls: string[] = [];

beforeAll(() => {
  ws = makeWorkspace('python');
  const realPulumi = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
  const bin = path.join(ws.root, '.recording', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  log = path.join(ws.root, '.recording', 'calls.log');
  inputsLog = path.join(ws.root, '.recording', 'inputs.log');
  wrapper = path.join(bin, 'pulumi');
  fs.writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log}"\nenv | sed -n 's/^\\(INPUT_[^=]*\\)=.*/\\1/p' >> "${inputsLog}"\nexec "${realPulumi}" "$@"\n`, { mode: 0o755 });
  wrappedPath = [bin, process.env.PATH].join(path.delimiter);
});

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

/** Runs a step and returns its CLI calls, each as the command's words before its first flag. */
async function callsOf(inputs: Record<string, string>, PATH = wrappedPath): Promise<string[]> {
  fs.rmSync(log, { force: true });
  const run = await runStep(ws, { inputs: { stack: 'dev', ...inputs }, env: { PATH } });
  expect(errorsOf(run)).toEqual([]);
  expect(run.code).toBe(0);
  lastOutputs = run.outputs;
  const calls = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) =>
      line
        .split(' --')[0]!
        .split(' ')
        .slice(0, 3)
        .join(' ')
        .replace(/ organization\/.*$/, ''),
    )
    .map((call) => (call.startsWith('stack tag') ? call : call.split(' ').slice(0, 2).join(' ')));
  tagCalls = calls.filter((c) => c.startsWith('stack tag'));
  return calls.filter((c) => !c.startsWith('stack tag'));
}

const config = (fileCount: number) => JSON.stringify({ outDir: ws.outDir, fileCount, token: { value: 'cli-calls-token', secret: true } });

describe('CLI processes per step', () => {
  it('the first run on a new stack: the version check; its first call finds the stack missing, creates it, and is made again', async () => {
    // No salt in a stack file yet: the secret goes through the CLI, on its standard input.
    expect(await callsOf({ command: 'up', config: config(2) })).toEqual(['version', 'config set', 'stack init', 'config set', 'up']);
    // The lock's listing finds no stack yet, and creates none.
    expect(tagCalls).toEqual(['stack tag ls']);
  }, 300_000);

  it('the next run remembers the version and encrypts the secret itself: the update alone', async () => {
    expect(await callsOf({ command: 'up', config: config(3) })).toEqual(['up']);
    expect(tagCalls).toEqual(['stack tag ls']);
    expect(pulumiCli(ws, ['config', 'get', 'token', '--stack', 'dev']).trim()).toBe('cli-calls-token');
  }, 300_000);

  it('no secret config value on any pulumi command line, whichever way it is set', async () => {
    const secrets = { token: { value: 'cmdline-probe-1', secret: true }, 'nested.key': { value: 'cmdline-probe-2', secret: true, path: true } };
    const configOf = (value: string) => JSON.stringify({ outDir: path.join(ws.outDir, 'probe'), fileCount: 1, ...secrets, message: value });
    const cliRoute = await callsOf({ command: 'up', stack: 'probe', config: configOf('first') });
    expect(fs.readFileSync(log, 'utf8')).not.toMatch(/cmdline-probe/);
    expect(cliRoute.filter((c) => c === 'config set')).toHaveLength(3);
    const secretOf = (key: string, ...flags: string[]) => pulumiCli(ws, ['config', 'get', key, '--stack', 'probe', ...flags]).trim();
    expect([secretOf('token'), secretOf('nested.key', '--path')]).toEqual(['cmdline-probe-1', 'cmdline-probe-2']);
    const changed = { ...secrets, token: { value: 'cmdline-probe-3', secret: true } };
    expect(await callsOf({ command: 'up', stack: 'probe', config: JSON.stringify({ outDir: path.join(ws.outDir, 'probe'), fileCount: 1, ...changed }) })).toEqual(['up']);
    expect([secretOf('token'), secretOf('nested.key', '--path')]).toEqual(['cmdline-probe-3', 'cmdline-probe-2']);
    expect(fs.readFileSync(log, 'utf8')).not.toMatch(/cmdline-probe/);
    expect(fs.readFileSync(path.join(ws.root, ws.workDir, 'Pulumi.probe.yaml'), 'utf8')).not.toMatch(/cmdline-probe/);
  }, 300_000);

  it("no CLI process, and so no program or provider under it, inherits the runner's INPUT_* variables", async () => {
    fs.rmSync(inputsLog, { force: true });
    await callsOf({ command: 'up', config: config(3) });
    expect(fs.readFileSync(inputsLog, 'utf8')).toBe('');
  }, 300_000);

  it('plain config needs no CLI call, and the stack file is not rewritten when it holds the values', async () => {
    // The program's default message, written out: the later tests expect the stack unchanged.
    const plainConfig = JSON.stringify({ outDir: ws.outDir, fileCount: 3, message: 'hello' });
    expect(await callsOf({ command: 'up', config: plainConfig })).toEqual(['up']);
    expect(lastOutputs.greeting).toBe('hello, dev!');
    const file = path.join(ws.root, ws.workDir, 'Pulumi.dev.yaml');
    const written = fs.statSync(file).mtimeMs;
    expect(await callsOf({ command: 'preview', config: plainConfig })).toEqual(['preview']);
    expect(fs.statSync(file).mtimeMs).toBe(written);
  }, 300_000);

  it('a new stack with plain config: the operation finds it missing, creates it, and runs again', async () => {
    const plainConfig = JSON.stringify({ outDir: path.join(ws.outDir, 'fresh'), fileCount: 1, message: 'fresh' });
    expect(await callsOf({ command: 'up', stack: 'fresh', config: plainConfig })).toEqual(['up', 'stack init', 'up']);
    expect(tagCalls).toEqual(['stack tag ls']);
    expect(lastOutputs.greeting).toBe('fresh, fresh!');
  }, 300_000);

  it('a preview or an up without config: the operation alone (and the listing beside the up)', async () => {
    expect(await callsOf({ command: 'preview' })).toEqual(['preview']);
    expect(tagCalls).toEqual([]);
    expect(await callsOf({ command: 'up' })).toEqual(['up']);
    expect(tagCalls).toEqual(['stack tag ls']);
  }, 300_000);

  it('a binary rewritten in place is checked again', async () => {
    fs.appendFileSync(wrapper, '# rewritten\n');
    expect(await callsOf({ command: 'preview' })).toEqual(['version', 'preview']);
    expect(await callsOf({ command: 'preview' })).toEqual(['preview']);
  }, 300_000);

  it('a CLI whose build information names its version: not even a first run checks it', async () => {
    // The recorder as a Go program, built as the Pulumi CLI is (its module, its version variable),
    // so the action finds the real CLI's version in it, which it then runs.
    const realPulumi = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
    const version = execFileSync(realPulumi, ['version'], { encoding: 'utf8' }).trim();
    const main =
      'package main\n\nimport (\n\t"os"\n\t"strings"\n\t"syscall"\n)\n\nvar log, real string\n\n' +
      'func main() {\n\tf, _ := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)\n' +
      '\tf.WriteString(strings.Join(os.Args[1:], " ") + "\\n")\n\tf.Close()\n' +
      '\tpanic(syscall.Exec(real, append([]string{real}, os.Args[1:]...), os.Environ()))\n}\n';
    const ldflags = `-X main.log=${log} -X main.real=${realPulumi} -X ${SDK_VERSION_VARIABLE}=${version}`;
    const bin = path.dirname(buildAsPulumiCli(path.join(ws.root, '.recording', 'go'), main, ['-ldflags', ldflags]));
    expect(await callsOf({ command: 'preview' }, [bin, process.env.PATH].join(path.delimiter))).toEqual(['preview']);
  }, 300_000);

  it('a smoke check on a secret output reads the outputs, since the events hold no secret value', async () => {
    const calls = await callsOf({ command: 'smoke', stack: 'smoke-1', 'ephemeral-stacks': 'smoke-*', config: config(1), 'expect-outputs': JSON.stringify({ connection: '/cli-calls-token/' }) });
    expect(calls.filter((c) => c === 'stack output')).toHaveLength(2);
    expect(calls).not.toContain('version');
  }, 300_000);

  it('a targeted refresh, whose events carry no stack outputs, reads them', async () => {
    const calls = await callsOf({ command: 'refresh', target: 'urn:pulumi:dev::files-py::pulumi-python:dynamic/files:File::file-0' });
    expect(calls).toEqual(['refresh', 'stack output', 'stack output']);
    expect(lastOutputs.greeting).toBe('hello, dev!');
    const untargeted = await callsOf({ command: 'refresh' });
    expect(untargeted).toEqual(['refresh']);
    expect(lastOutputs.greeting).toBe('hello, dev!');
  }, 300_000);

  it("a pulumi-version the CLI on PATH does not satisfy: the runner's tool cache has one that does, every run", async () => {
    const { toolCache, root } = fakeToolCache(ws, '3.999.0');
    for (const _ of [1, 2]) {
      const run = await runStep(ws, { inputs: { command: 'preview', stack: 'dev', 'pulumi-version': '>=3.999.0' }, env: { PATH: wrappedPath, RUNNER_TOOL_CACHE: toolCache } });
      expect(errorsOf(run)).toEqual([]);
      expect(run.stdout).toContain(`Pulumi CLI v3.999.0 from tool cache (${root})`);
    }
  }, 300_000);
});
