// The whole life of a stack through the bundled action, on the Python example, the real CLI, a
// real virtual environment and a file:// backend: preview, up, up again, refresh, output, destroy
// refused, destroy approved.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, filesIn, makeWorkspace, runStep, snapshotState, type StepResult, type Workspace } from '../support/e2e.js';

const SECRET = 'sup3r-s3cret-token-value';
let ws: Workspace;

function config(extra: Record<string, unknown> = {}) {
  return JSON.stringify({ message: 'hi', outDir: ws.outDir, token: { value: SECRET, secret: true }, ...extra });
}

function expectNoSecret(run: StepResult) {
  // The runner would mask lines after `::add-mask::`; the action must not rely on it.
  const printed = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
  for (const where of [printed, run.stderr, JSON.stringify(run.outputs), run.summary]) expect(where).not.toContain(SECRET);
}

beforeAll(() => {
  ws = makeWorkspace('python');
});

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

describe('python example, file backend', () => {
  it('previews a new stack without creating anything', async () => {
    const run = await runStep(ws, { inputs: { command: 'preview', stack: 'dev', config: config() } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 5, update: 0, delete: 0 });
    expect(run.outputs['has-changes']).toBe('true');
    expect(run.outputs.stack).toBe('organization/files-py/dev');
    expect(filesIn(ws.outDir)).toEqual([]);
    expect(run.stdout).toContain('::group::Dependencies: Python virtual environment venv (pip)');
    expect(fs.existsSync(path.join(ws.root, ws.workDir, 'venv', 'bin', 'python'))).toBe(true);
    expect(run.summary).toContain('files-py');
    expectNoSecret(run);
  }, 300_000);

  it('applies the stack: files appear, outputs are set, secrets stay hidden', async () => {
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: config() } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(fs.readFileSync(path.join(ws.outDir, 'file-1.txt'), 'utf8')).toBe('hi #1\n');
    expect(run.outputs.greeting).toBe('hi, dev!');
    expect(run.outputs.dir).toBe(ws.outDir);
    expect(run.outputs.connection).toBe('[secret]');
    expect(JSON.parse(run.outputs.outputs!)).toMatchObject({ greeting: 'hi, dev!', connection: '[secret]' });
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 5 });
    // The virtual environment built by the preview is reused.
    expect(run.stdout).toContain('Python virtual environment venv (pip): up to date, reused');
    expect(run.stdout).toContain(`::add-mask::${SECRET}`);
    expectNoSecret(run);
  }, 300_000);

  it('reports no changes on a second up', async () => {
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: config() } });
    expect(run.code).toBe(0);
    expect(run.outputs['has-changes']).toBe('false');
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: 5 });
  }, 300_000);

  it('updates what the config changed', async () => {
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: config({ message: 'bye' }) } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ update: 3 });
    expect(fs.readFileSync(path.join(ws.outDir, 'file-0.txt'), 'utf8')).toBe('bye #0\n');
  }, 300_000);

  it('refreshes, and reads outputs without running the program', async () => {
    const refresh = await runStep(ws, { inputs: { command: 'refresh', stack: 'dev' } });
    expect(errorsOf(refresh)).toEqual([]);
    expect(refresh.code).toBe(0);
    const output = await runStep(ws, { inputs: { command: 'output', stack: 'dev' } });
    expect(output.code).toBe(0);
    expect(output.outputs.greeting).toBe('bye, dev!');
    expect(output.stdout).not.toContain('::group::Dependencies');
  }, 300_000);

  it('refuses to destroy without approval, naming what would go, and changes nothing', async () => {
    const before = snapshotState(ws);
    const run = await runStep(ws, { inputs: { command: 'destroy', stack: 'dev' } });
    expect(run.code).toBe(1);
    const [error] = errorsOf(run);
    expect(error).toContain('PULUMI_DESTROY_APPROVED');
    expect(error).toContain('It would delete 5 resource(s)');
    expect(error).toContain('file-0');
    expect(filesIn(ws.outDir)).toHaveLength(4);
    expect(snapshotState(ws)).toEqual(before);
  }, 300_000);

  it('refuses an approval spelled other than exactly "true"', async () => {
    for (const spelling of ['TRUE', ' true', '1', 'yes']) {
      const run = await runStep(ws, { inputs: { command: 'destroy', stack: 'dev' }, env: { PULUMI_DESTROY_APPROVED: spelling } });
      expect(run.code).toBe(1);
      expect(errorsOf(run)[0]).toContain('needs approval');
    }
    expect(filesIn(ws.outDir)).toHaveLength(4);
  }, 300_000);

  it('destroys with approval: the files are gone', async () => {
    const run = await runStep(ws, { inputs: { command: 'destroy', stack: 'dev' }, env: { PULUMI_DESTROY_APPROVED: 'true' } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(filesIn(ws.outDir)).toEqual([]);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ delete: 5 });
    expect(run.outputs['has-deletes']).toBe('true');
  }, 300_000);

  it('destroys an ephemeral stack without approval', async () => {
    const outDir = path.join(ws.root, 'out-pr');
    const inputs = { stack: 'pr-17', config: config({ outDir }), 'ephemeral-stacks': 'preview-*\npr-*' };
    const up = await runStep(ws, { inputs: { ...inputs, command: 'up' } });
    expect(up.code).toBe(0);
    expect(filesIn(outDir)).toHaveLength(4);
    const destroy = await runStep(ws, { inputs: { ...inputs, command: 'destroy' } });
    expect(errorsOf(destroy)).toEqual([]);
    expect(destroy.code).toBe(0);
    expect(filesIn(outDir)).toEqual([]);
  }, 300_000);
});
