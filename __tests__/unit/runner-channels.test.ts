// The runner's channels: its private variables leave the environment before anything starts, step
// outputs are written so no name can add lines of its own, and nothing the action prints runs as a
// workflow command unless the action meant it to.
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as log from '../../src/base/log.js';
import { ownStepOutput } from '../../src/report/outputs.js';
import { isRunnerPrivate, outputCommand, takeRunnerChannels } from '../../src/base/runner.js';
import { readOutputs } from '../../scripts/runner.mjs';
import { sourceFiles } from '../support/sources.js';
import { workflowCommands } from '../support/workflow-commands.js';

const sources = sourceFiles();

describe('one way to the runner', () => {
  it('only log.ts uses @actions/core, so every line the action prints passes its guard', () => {
    expect(sources.filter(({ text }) => /from '@actions\/core'/.test(text)).map((s) => s.file)).toEqual([path.join('base', 'log.ts')]);
  });

  it('nothing prints past it', () => {
    // The cache client's thread takes what its library prints and hands it to the main thread, which decides what of it to show.
    const worker = path.join('workspace', 'cache-worker.ts');
    expect(sources.filter(({ file, text }) => file !== worker && /process\.(stdout|stderr)|console\./.test(text)).map((s) => s.file)).toEqual([]);
    const workerText = sources.find((s) => s.file === worker)!.text;
    expect(workerText).toMatch(/^process\.stdout\.write = /m);
    expect(workerText).not.toMatch(/process\.(stdout|stderr)\.\w+\s*\(/);
    expect(workerText).not.toMatch(/console\./);
  });

  it("hands the cache service's variables to the cache client's own thread, and to nothing else", () => {
    // Asked for in one place, and given to one thread, whose environment is its own copy.
    expect(sources.filter(({ text }) => /\.cacheService\(\)/.test(text)).map((s) => s.file)).toEqual([path.join('workspace', 'cache.ts')]);
    expect(sources.filter(({ text }) => /new Worker\(/.test(text)).map((s) => s.file)).toEqual([path.join('workspace', 'cache-service.ts')]);
    const client = sources.find((s) => s.file === path.join('workspace', 'cache-service.ts'))!.text;
    expect(client).toMatch(/new Worker\([\s\S]*?\{\s*env: \{ \.\.\.process\.env, \.\.\.serviceEnv \}/);
    // Nothing assigns to the process's environment but the entry point's removal.
    expect(sources.filter(({ text }) => /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|Object\.assign\(process\.env/.test(text)).map((s) => s.file)).toEqual([path.join('workspace', 'cache-worker.ts')]);
  });

  it("only runner.ts knows the runner's private variables", () => {
    const naming = sources.filter(({ text }) => /INPUT_|GITHUB_(ENV|OUTPUT|PATH|STATE|STEP_SUMMARY)\b|ACTIONS_(RUNTIME|CACHE_URL|RESULTS_URL)/.test(text));
    expect(naming.map((s) => s.file)).toEqual([path.join('base', 'runner.ts')]);
  });
});

describe('takeRunnerChannels', () => {
  it('takes the inputs, the file commands and the service tokens out of the environment; the ID-token request and the rest stay', () => {
    const env: NodeJS.ProcessEnv = {
      'INPUT_WORK-DIR': ' infra ',
      INPUT_CONFIG: '{"token": {"value": "s3cr3t", "secret": true}}',
      INPUT_MY_INPUT: 'x',
      GITHUB_ENV: '/r/env',
      GITHUB_OUTPUT: '/r/out',
      GITHUB_PATH: '/r/path',
      GITHUB_STATE: '/r/state',
      GITHUB_STEP_SUMMARY: '/r/summary',
      ACTIONS_RUNTIME_TOKEN: 'rt',
      ACTIONS_RUNTIME_URL: 'https://rt',
      ACTIONS_CACHE_URL: 'https://cache',
      ACTIONS_RESULTS_URL: 'https://results',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://id',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'idt',
      GITHUB_WORKSPACE: '/w',
      GITHUB_TOKEN: 'only-if-the-workflow-says-so',
      PATH: '/bin',
    };
    const runner = takeRunnerChannels(env);
    expect(Object.keys(env).sort()).toEqual(['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'GITHUB_TOKEN', 'GITHUB_WORKSPACE', 'PATH']);
    // The cache service's URLs and token, kept for the cache client alone.
    expect(runner.cacheService()).toEqual({ ACTIONS_RUNTIME_TOKEN: 'rt', ACTIONS_CACHE_URL: 'https://cache', ACTIONS_RESULTS_URL: 'https://results' });
    // As @actions/core's getInput: upper-cased, spaces to `_`, trimmed, empty when absent.
    expect([runner.input('work-dir'), runner.input('my input'), runner.input('stack')]).toEqual(['infra', 'x', '']);
    expect(runner.input('config')).toContain('s3cr3t');
  });

  it('names the same variables isRunnerPrivate does', () => {
    expect(['INPUT_X', 'GITHUB_OUTPUT', 'ACTIONS_CACHE_URL'].every(isRunnerPrivate)).toBe(true);
    expect(['ACTIONS_ID_TOKEN_REQUEST_URL', 'GITHUB_WORKSPACE', 'INPUTS'].some(isRunnerPrivate)).toBe(false);
  });

  it('writes outputs and the summary to the files it took, and reads back as the runner does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'channels-'));
    const env = { GITHUB_OUTPUT: path.join(dir, 'out'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary') };
    fs.writeFileSync(env.GITHUB_OUTPUT, '');
    const runner = takeRunnerChannels(env);
    runner.setOutput('multi', 'a\nb=c\nd<<EOF');
    runner.setOutput('plain', 'x');
    runner.appendSummary('# one\n');
    runner.appendSummary('two');
    expect(readOutputs(path.join(dir, 'out'))).toEqual({ multi: 'a\nb=c\nd<<EOF', plain: 'x' });
    expect(fs.readFileSync(path.join(dir, 'summary'), 'utf8')).toBe('# one\ntwo');
    fs.rmSync(dir, { recursive: true });
  });

  it('writes nothing where the runner gave no files, and gives no cache service where it gave none', () => {
    const runner = takeRunnerChannels({ ACTIONS_RUNTIME_TOKEN: 'rt' });
    expect(() => runner.setOutput('x', 'y')).not.toThrow();
    expect(() => runner.appendSummary('z')).not.toThrow();
    expect(() => runner.addPath('/opt/pulumi/bin')).not.toThrow();
    expect(runner.cacheService()).toBeUndefined();
  });

  it('adds a folder to PATH as one line of GITHUB_PATH, and refuses one that would add more', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'channels-'));
    const file = path.join(dir, 'path');
    const runner = takeRunnerChannels({ GITHUB_PATH: file });
    runner.addPath('/opt/hostedtoolcache/pulumi/3.274.1/x64/bin');
    expect(() => runner.addPath('/opt/a\n/tmp/evil')).toThrow('is not a folder');
    expect(fs.readFileSync(file, 'utf8')).toBe(`/opt/hostedtoolcache/pulumi/3.274.1/x64/bin${os.EOL}`);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('step output names', () => {
  it.each(['a=1\ncomment-url=https://evil', 'a\rb', 'x<<EOF', 'na me', '', 'a.b', 'über'])('refuses %j as a name', (name) => {
    expect(() => outputCommand(name, 'v')).toThrow('is not a name a step output can have');
    expect(ownStepOutput(name)).toBe(false);
  });

  it("keeps stack outputs named like the action's own, in any case, out of the step outputs", () => {
    expect(['comment-url', 'Comment-URL', 'STACK', 'has-deletes'].map(ownStepOutput)).toEqual([false, false, false, false]);
    expect(['url', 'bucket_name', 'api-URL-2'].map(ownStepOutput)).toEqual([true, true, true]);
  });
});

describe('the log guard', () => {
  const printed: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  afterEach(() => {
    printed.length = 0;
  });
  afterAll(() => spy.mockRestore());

  const HOSTILE = [
    '::add-mask::hello',
    '    ::warning file=main.py,line=1::fake annotation',
    '\u00a0\u2003::error::fake error',
    '\u0085::set-output name=stack::forged',
    '::stop-commands::quiet',
    '::stop-commands::',
    'progress\r::add-mask::hidden',
    'anything ##[set-output name=forged;]1',
    'a\n  ::debug::x',
  ];

  it.each(HOSTILE)('prints %j as text the runner reads as no command', (text) => {
    log.info(text);
    expect(workflowCommands(printed.join(''))).toEqual([]);
    expect(printed.join('')).toContain(text);
  });

  it("leaves the action's own commands working after any of them", () => {
    for (const text of HOSTILE) log.info(text);
    log.setSecret('s3cr3t');
    log.warning('the action warns');
    expect(workflowCommands(printed.join('')).map((c) => [c.name, c.data])).toEqual([
      ['add-mask', 's3cr3t'],
      ['warning', 'the action warns'],
    ]);
  });

  it('prints ordinary lines as they are, URNs with their `::` included', () => {
    log.info('  + files:index:File file-0 created (urn:pulumi:dev::files-py::files:File::file-0)');
    expect(printed).toEqual(['  + files:index:File file-0 created (urn:pulumi:dev::files-py::files:File::file-0)' + os.EOL]);
  });

  it('uses a new token each time', () => {
    log.info('::x::');
    log.info('::y::');
    const tokens = printed.filter((p) => p.startsWith('::stop-commands::')).map((p) => p.trim().slice('::stop-commands::'.length));
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
  });
});
