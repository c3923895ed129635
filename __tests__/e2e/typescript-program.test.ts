// The TypeScript example through the bundled action: `npm ci` prepares it, the Node.js language host
// runs it, and the installed packages are reused on the next run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, filesIn, makeWorkspace, runStep, type Workspace } from '../support/e2e.js';

let ws: Workspace;
const config = () => JSON.stringify({ message: 'from ts', outDir: ws.outDir, token: { value: 'ts-secret-value', secret: true } });

beforeAll(() => {
  ws = makeWorkspace('typescript');
});

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

describe('typescript example, file backend', () => {
  it('installs with npm ci and applies the stack', async () => {
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: config() } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::group::Dependencies: Node.js packages (npm ci)');
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(fs.readFileSync(path.join(ws.outDir, 'file-2.txt'), 'utf8')).toBe('from ts #2\n');
    expect(run.outputs.greeting).toBe('from ts, dev!');
    expect(run.outputs.connection).toBe('[secret]');
  }, 300_000);

  it('reuses the installed packages, and destroys with approval', async () => {
    const preview = await runStep(ws, { inputs: { command: 'preview', stack: 'dev', config: config() } });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('Node.js packages (npm ci): up to date, reused');
    expect(preview.outputs['has-changes']).toBe('false');
    const destroy = await runStep(ws, { inputs: { command: 'destroy', stack: 'dev' }, env: { PULUMI_DESTROY_APPROVED: 'true' } });
    expect(errorsOf(destroy)).toEqual([]);
    expect(filesIn(ws.outDir)).toEqual([]);
  }, 300_000);
});
