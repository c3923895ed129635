// The TypeScript example through the bundled action: `npm ci` prepares it, the Node.js language host
// runs it, and the installed packages are reused on the next run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, filesIn, makeWorkspace, pulumiCli, runStep, type StepResult, type Workspace } from '../support/e2e.js';

let ws: Workspace;
let lastUp: StepResult;
type Special = Record<string, unknown> & { assets?: Record<string, Special> };
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
    lastUp = run;
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::group::Dependencies: Node.js packages (npm ci)');
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(fs.readFileSync(path.join(ws.outDir, 'file-2.txt'), 'utf8')).toBe('from ts #2\n');
    expect(run.outputs.greeting).toBe('from ts, dev!');
    expect(run.outputs.connection).toBe('[secret]');
  }, 300_000);

  it('keeps an output that is an asset or an archive as the CLI gives it, not as a secret', () => {
    // Pulumi writes special values as objects under one signature key: a secret's signature is one
    // value of it, an asset's and an archive's are others (sdk/go/common/resource/sig).
    const cli = JSON.parse(pulumiCli(ws, ['stack', 'output', '--json', '--show-secrets', '--stack', 'dev'])) as Record<string, Special>;
    expect(cli.notes).toEqual({ '4dabf18193072939515e22adb298388d': 'c44067f5952c0a294b673a41bacd8c17', hash: expect.any(String), text: 'from ts from dev\n' });
    expect(cli.bundle).toMatchObject({ '4dabf18193072939515e22adb298388d': '0def7320c3a5731c473e5ecbe6d01bc7', assets: { 'greeting.txt': { text: 'from ts, dev!' } } });
    // The engine's events, which the outputs after `up` come from, leave out a text asset's text
    // (pkg/engine/events.go, filterAsset): the rest, its hash included, is the stack's.
    const elided = (asset: Special) => ({ ...asset, text: '<contents elided>' });
    const notes = elided(cli.notes!);
    const bundle = { ...cli.bundle, assets: { ...cli.bundle!.assets, 'greeting.txt': elided(cli.bundle!.assets!['greeting.txt']!) } };
    expect(JSON.parse(lastUp.outputs.outputs!)).toMatchObject({ notes, bundle, connection: '[secret]' });
    expect(JSON.parse(lastUp.outputs.notes!)).toEqual(notes);
    expect(JSON.parse(lastUp.outputs.bundle!)).toEqual(bundle);
  });

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
