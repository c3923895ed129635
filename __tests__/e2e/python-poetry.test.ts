// A poetry-managed Python program through the bundled action, with poetry from PyPI and the real
// CLI: the first run installs into the environment poetry chooses, the next reuses it, a changed
// lock installs again, and the program (and its dynamic provider) runs from that environment. One
// workspace and one install for the whole file: installing the pulumi package is the slow part.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensurePoetry } from '../../scripts/poetry.mjs';
import { REPO } from '../../scripts/runner.mjs';
import { errorsOf, filesIn, makeWorkspace, runStep, type StepOptions, type Workspace } from '../support/e2e.js';

let ws: Workspace;
let program: string;
let poetryEnv: Record<string, string>;
const FIXTURE = path.join(REPO, '__tests__', 'fixtures', 'python-poetry');

function step(command: string, extra: Partial<StepOptions> = {}) {
  const config = JSON.stringify({ message: 'hi', outDir: ws.outDir });
  return runStep(ws, { ...extra, inputs: { command, stack: 'dev', config, ...extra.inputs }, env: { ...poetryEnv, ...extra.env } });
}

beforeAll(() => {
  const poetryBin = ensurePoetry();
  ws = makeWorkspace('python');
  program = path.join(ws.root, ws.workDir);
  fs.rmSync(path.join(program, 'requirements.txt'));
  for (const file of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, file), path.join(program, file));
  poetryEnv = {
    PATH: `${poetryBin}${path.delimiter}${process.env.PATH}`,
    // Poetry's environments and settings in the workspace, not the user's; its download cache is shared.
    POETRY_VIRTUALENVS_PATH: path.join(ws.root, 'poetry-envs'),
    POETRY_CONFIG_DIR: path.join(ws.root, 'poetry-config'),
  };
}, 300_000);

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

describe('python example managed by poetry', () => {
  it('installs with poetry into the environment poetry chooses, and previews', async () => {
    const run = await step('preview');
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::group::Dependencies: Python packages (poetry install)');
    expect(run.stdout).toContain('poetry install --no-ansi --no-interaction');
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 5 });
    const [env] = filesIn(poetryEnv.POETRY_VIRTUALENVS_PATH!);
    expect(env).toMatch(/^files-py-.+-py3\.\d+$/);
    expect(fs.existsSync(path.join(poetryEnv.POETRY_VIRTUALENVS_PATH!, env!, 'bin', 'python'))).toBe(true);
    expect(filesIn(program)).not.toContain('venv');
  }, 300_000);

  it('reuses the environment when nothing changed, and the program and its provider run from it', async () => {
    const run = await step('up');
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Python packages (poetry install): up to date, reused');
    expect(run.stdout).not.toContain('::group::Dependencies');
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(run.outputs.greeting).toBe('hi, dev!');
  }, 300_000);

  it('installs again when poetry.lock changed', async () => {
    fs.appendFileSync(path.join(program, 'poetry.lock'), '# changed\n');
    const run = await step('up');
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::group::Dependencies: Python packages (poetry install)');
    expect(JSON.parse(run.outputs.changes!)).toMatchObject({ create: 0, same: 5 });
  }, 300_000);

  it('fails naming poetry and how to get it when it is not on PATH, and refuses pipenv', async () => {
    const missing = await step('preview', { env: { PATH: process.env.PATH! } });
    expect(missing.code).toBe(1);
    expect(errorsOf(missing)[0]).toMatch(/^::error::dependencies: .*no `poetry` is on PATH.*`pipx install poetry`/);

    const projectFile = path.join(program, 'Pulumi.yaml');
    const original = fs.readFileSync(projectFile, 'utf8');
    fs.writeFileSync(projectFile, original.replace('toolchain: poetry', 'toolchain: pipenv'));
    try {
      const pipenv = await step('preview');
      expect(pipenv.code).toBe(1);
      expect(errorsOf(pipenv)[0]).toMatch(/^::error::dependencies: .*toolchain is 'pipenv', which Pulumi's Python language host refuses/);
    } finally {
      fs.writeFileSync(projectFile, original);
    }
  }, 300_000);
});
