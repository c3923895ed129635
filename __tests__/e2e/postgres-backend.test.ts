// The stack's life through the bundled action on a postgres:// backend (the server scripts/test.mjs
// starts; a database of its own for this file): preview, up, up again, refresh, output, destroy
// refused, destroy approved. Needs PULUMI_TEST_POSTGRES_URL: without it every case fails.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, filesIn, makeWorkspace, runStep, type StepOptions, type StepResult, type Workspace } from '../support/e2e.js';
import { createDatabase, dropDatabase, postgresUrl, stateRows } from '../support/postgres.js';

const SECRET = 'pg-sup3r-s3cret-token';
let ws: Workspace;
let backendUrl: string;

function step(options: StepOptions): Promise<StepResult> {
  return runStep(ws, { ...options, inputs: { stack: 'dev', 'backend-url': backendUrl, ...options.inputs } });
}

function config() {
  return JSON.stringify({ message: 'hi', outDir: ws.outDir, token: { value: SECRET, secret: true } });
}

function expectNoSecret(run: StepResult) {
  const printed = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
  for (const where of [printed, run.stderr, JSON.stringify(run.outputs), run.summary]) expect(where).not.toContain(SECRET);
}

beforeAll(() => {
  postgresUrl(); // fails every case, with the reason, when setup provided no server
  backendUrl = createDatabase('e2e_python');
  ws = makeWorkspace('python');
});

afterAll(() => {
  if (backendUrl) dropDatabase(backendUrl);
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
});

describe('python example, postgres backend', () => {
  it('previews a new stack without creating anything', async () => {
    const run = await step({ inputs: { command: 'preview', config: config() } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 5, update: 0, delete: 0 });
    expect(run.outputs['has-changes']).toBe('true');
    expect(run.outputs.stack).toBe('organization/files-py/dev');
    expect(filesIn(ws.outDir)).toEqual([]);
    expectNoSecret(run);
  }, 300_000);

  it('applies the stack: files appear, the state is in PostgreSQL', async () => {
    const run = await step({ inputs: { command: 'up', config: config() } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(fs.readFileSync(path.join(ws.outDir, 'file-1.txt'), 'utf8')).toBe('hi #1\n');
    expect(run.outputs.greeting).toBe('hi, dev!');
    expect(run.outputs.connection).toBe('[secret]');
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 5 });
    expectNoSecret(run);
    // The checkpoint is a row of pulumi_state; the workspace's file:// state folder stays empty.
    expect([...stateRows(backendUrl).keys()]).toContainEqual(expect.stringMatching(/stacks\/files-py\/dev\.json$/));
    expect(filesIn(ws.stateDir)).toEqual([]);
  }, 300_000);

  it('reports no changes on a second up', async () => {
    const run = await step({ inputs: { command: 'up', config: config() } });
    expect(run.code).toBe(0);
    expect(run.outputs['has-changes']).toBe('false');
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: 5 });
  }, 300_000);

  it('refreshes, and reads outputs without running the program', async () => {
    const refresh = await step({ inputs: { command: 'refresh' } });
    expect(errorsOf(refresh)).toEqual([]);
    expect(refresh.code).toBe(0);
    expect(refresh.outputs.greeting).toBe('hi, dev!');
    const output = await step({ inputs: { command: 'output' } });
    expect(output.code).toBe(0);
    expect(output.outputs.greeting).toBe('hi, dev!');
    expect(output.outputs.stack).toBe('organization/files-py/dev');
    expect(output.stdout).not.toContain('::group::Dependencies');
  }, 300_000);

  it('refuses to destroy without approval, naming what would go, and changes no row', async () => {
    const before = stateRows(backendUrl);
    expect(before.size).toBeGreaterThan(0);
    const run = await step({ inputs: { command: 'destroy' } });
    expect(run.code).toBe(1);
    const [error] = errorsOf(run);
    expect(error).toContain('PULUMI_DESTROY_APPROVED');
    expect(error).toContain('It would delete 5 resource(s)');
    expect(error).toContain('file-0');
    expect(filesIn(ws.outDir)).toHaveLength(4);
    expect(stateRows(backendUrl)).toEqual(before);
  }, 300_000);

  it('destroys with approval: the files are gone', async () => {
    const run = await step({ inputs: { command: 'destroy' }, env: { PULUMI_DESTROY_APPROVED: 'true' } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(filesIn(ws.outDir)).toEqual([]);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ delete: 5 });
    expect(run.outputs['has-deletes']).toBe('true');
  }, 300_000);
});
