// The whole life of a stack through the bundled action, on the Python example, the real CLI and a
// real virtual environment, once on each backend: a file:// folder, and PostgreSQL (the server
// scripts/test.mjs starts, a database of its own for this file; without PULUMI_TEST_POSTGRES_URL
// every case of that backend fails): preview, up, up again, refresh, output, destroy refused,
// destroy approved; on the first backend also an update, the destroy gate's spellings and an
// ephemeral stack.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, filesIn, makeWorkspace, runStep, snapshotState, type StepOptions, type StepResult, type Workspace } from '../support/e2e.js';
import { createDatabase, dropDatabase, postgresUrl, stateRows } from '../support/postgres.js';

/** Where a backend keeps the stack, as the scenario sets it up, inspects it and removes it. */
interface Backend {
  name: string;
  /** The `backend-url` input; none for the workspace's own file:// folder. */
  open(): string | undefined;
  close(url: string | undefined): void;
  /** The backend's whole state, to compare before and after a step. */
  state(ws: Workspace, url: string | undefined): Map<string, string>;
}

const CHECKPOINT = /stacks\/files-py\/dev\.json$/;

const BACKENDS: Backend[] = [
  {
    name: 'file',
    open: () => undefined,
    close: () => {},
    state: (ws) => snapshotState(ws),
  },
  {
    name: 'postgres',
    open: () => {
      postgresUrl(); // fails every case, with the reason, when setup provided no server
      return createDatabase('e2e_python');
    },
    close: (url) => url && dropDatabase(url),
    state: (_, url) => stateRows(url!),
  },
];

describe.each(BACKENDS)('python example, $name backend', (backend) => {
  const SECRET = `${backend.name}-sup3r-s3cret-token`;
  // An update, the destroy gate's spellings and an ephemeral stack are the action's, not the
  // backend's: checked once, on the first backend.
  const backendFree = backend === BACKENDS[0];
  let ws: Workspace;
  let backendUrl: string | undefined;
  /** The greeting output of the stack's latest up. */
  let greeting = 'hi, dev!';

  function step(options: StepOptions): Promise<StepResult> {
    return runStep(ws, { ...options, inputs: { stack: 'dev', ...(backendUrl ? { 'backend-url': backendUrl } : {}), ...options.inputs } });
  }

  function config(extra: Record<string, unknown> = {}) {
    return JSON.stringify({ message: 'hi', outDir: ws.outDir, token: { value: SECRET, secret: true }, ...extra });
  }

  function expectNoSecret(run: StepResult) {
    // The runner would mask lines after `::add-mask::`; the action must not rely on it.
    const printed = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const where of [printed, run.stderr, JSON.stringify(run.outputs), run.summary]) expect(where).not.toContain(SECRET);
  }

  beforeAll(() => {
    ws = makeWorkspace('python');
    backendUrl = backend.open();
  });

  afterAll(() => {
    backend.close(backendUrl);
    if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
  });

  it('previews a new stack without creating anything', async () => {
    const run = await step({ inputs: { command: 'preview', config: config() } });
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

  it('applies the stack: files appear, outputs are set, secrets stay hidden, the checkpoint is in the backend', async () => {
    const run = await step({ inputs: { command: 'up', config: config() } });
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
    expect([...backend.state(ws, backendUrl).keys()]).toContainEqual(expect.stringMatching(CHECKPOINT));
    // On PostgreSQL the checkpoint is a row of pulumi_state; the workspace's file:// state folder stays empty.
    if (backendUrl) expect(filesIn(ws.stateDir)).toEqual([]);
  }, 300_000);

  it('reports no changes on a second up', async () => {
    const run = await step({ inputs: { command: 'up', config: config() } });
    expect(run.code).toBe(0);
    expect(run.outputs['has-changes']).toBe('false');
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 0, update: 0, delete: 0, replace: 0, same: 5 });
  }, 300_000);

  if (backendFree) {
    it('updates what the config changed', async () => {
      const run = await step({ inputs: { command: 'up', config: config({ message: 'bye' }) } });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.outputs.changes!)).toMatchObject({ update: 3 });
      expect(fs.readFileSync(path.join(ws.outDir, 'file-0.txt'), 'utf8')).toBe('bye #0\n');
      greeting = 'bye, dev!';
    }, 300_000);
  }

  it('refreshes, and reads outputs without running the program', async () => {
    const refresh = await step({ inputs: { command: 'refresh' } });
    expect(errorsOf(refresh)).toEqual([]);
    expect(refresh.code).toBe(0);
    expect(refresh.outputs.greeting).toBe(greeting);
    const output = await step({ inputs: { command: 'output' } });
    expect(output.code).toBe(0);
    expect(output.outputs.greeting).toBe(greeting);
    expect(output.outputs.stack).toBe('organization/files-py/dev');
    expect(output.stdout).not.toContain('::group::Dependencies');
  }, 300_000);

  it('refuses to destroy without approval, naming what would go, and changes nothing', async () => {
    const before = backend.state(ws, backendUrl);
    expect(before.size).toBeGreaterThan(0);
    const run = await step({ inputs: { command: 'destroy' } });
    expect(run.code).toBe(1);
    const [error] = errorsOf(run);
    expect(error).toContain('PULUMI_DESTROY_APPROVED');
    expect(error).toContain('It would delete 5 resource(s)');
    expect(error).toContain('file-0');
    expect(filesIn(ws.outDir)).toHaveLength(4);
    expect(backend.state(ws, backendUrl)).toEqual(before);
  }, 300_000);

  if (backendFree) {
    it('refuses an approval spelled other than exactly "true"', async () => {
      for (const spelling of ['TRUE', ' true', '1', 'yes']) {
        const run = await step({ inputs: { command: 'destroy' }, env: { PULUMI_DESTROY_APPROVED: spelling } });
        expect(run.code).toBe(1);
        expect(errorsOf(run)[0]).toContain('needs approval');
      }
      expect(filesIn(ws.outDir)).toHaveLength(4);
    }, 300_000);
  }

  it('destroys with approval: the files are gone', async () => {
    const run = await step({ inputs: { command: 'destroy' }, env: { PULUMI_DESTROY_APPROVED: 'true' } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(filesIn(ws.outDir)).toEqual([]);
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ delete: 5 });
    expect(run.outputs['has-deletes']).toBe('true');
  }, 300_000);

  if (backendFree) {
    it('destroys an ephemeral stack without approval', async () => {
      const outDir = path.join(ws.root, 'out-pr');
      const inputs = { stack: 'pr-17', config: config({ outDir }), 'ephemeral-stacks': 'preview-*\npr-*' };
      const up = await step({ inputs: { ...inputs, command: 'up' } });
      expect(up.code).toBe(0);
      expect(filesIn(outDir)).toHaveLength(4);
      const destroy = await step({ inputs: { ...inputs, command: 'destroy' } });
      expect(errorsOf(destroy)).toEqual([]);
      expect(destroy.code).toBe(0);
      expect(filesIn(outDir)).toEqual([]);
    }, 300_000);
  }
});
