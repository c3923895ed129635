// Paths the checkout itself names, which the CLI, the language host or the action write through:
// `stackConfigDir` in Pulumi.yaml, a `Pulumi.<stack>.yaml` that is a symlink, and
// `runtime.options.virtualenv`. Pointing outside the workspace, each fails in the inputs phase with
// one error naming the file and the setting, exit code 1, nothing written outside and the backend's
// state byte-for-byte as it was.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorsOf, makeWorkspace, runStep, snapshotState, type Workspace } from '../support/e2e.js';

let ws: Workspace;
/** A folder beside the workspace, as a runner's home or another checkout would be. */
let outside: string;
let projectFile: string;
let original: string;

beforeAll(() => {
  ws = makeWorkspace('python');
  projectFile = path.join(ws.root, ws.workDir, 'Pulumi.yaml');
  original = fs.readFileSync(projectFile, 'utf8');
});

beforeEach(() => {
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-outside-'));
});

afterEach(() => {
  fs.writeFileSync(projectFile, original);
  fs.rmSync(outside, { recursive: true, force: true });
});

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

/** `outside`, as a path relative to the project's folder: `../../../checkout-outside-…`. */
const relativeOutside = (...parts: string[]) => path.relative(path.join(ws.root, ws.workDir), path.join(outside, ...parts));

/** What `dir` holds, to prove nothing was written there. */
const entriesOf = (dir: string) => fs.readdirSync(dir).sort();

const preview = (stack: string) => runStep(ws, { inputs: { command: 'preview', stack, config: JSON.stringify({ outDir: ws.outDir, message: 'from the checkout' }) } });

function expectRefused(run: Awaited<ReturnType<typeof preview>>, message: RegExp): void {
  const errors = errorsOf(run);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^::error::inputs: /);
  expect(errors[0]).toMatch(message);
  expect(run.code).toBe(1);
}

describe('paths the checkout names', () => {
  it('refuses a stackConfigDir outside the workspace, writing no stack file there', async () => {
    fs.writeFileSync(projectFile, `${original}stackConfigDir: ${relativeOutside()}\n`);
    const state = snapshotState(ws);
    const run = await preview('outside-dir');
    expect(entriesOf(outside)).toEqual([]);
    expectRefused(
      run,
      /Pulumi\.yaml sets stackConfigDir to '\.\.\/\.\.\/\.\.\/checkout-outside-\w+', which leads outside the workspace .*: keep the stacks' settings files in a folder inside the repository/,
    );
    expect(snapshotState(ws)).toEqual(state);
  }, 300_000);

  it('refuses a stack settings file that is a symlink out of the workspace, leaving its target as it was', async () => {
    fs.writeFileSync(path.join(outside, 'Pulumi.linked.yaml'), 'config: {}\n');
    const link = path.join(ws.root, ws.workDir, 'Pulumi.linked.yaml');
    fs.symlinkSync(path.join(outside, 'Pulumi.linked.yaml'), link);
    try {
      const state = snapshotState(ws);
      const run = await preview('linked');
      expect(fs.readFileSync(path.join(outside, 'Pulumi.linked.yaml'), 'utf8')).toBe('config: {}\n');
      expectRefused(run, /Pulumi\.linked\.yaml is a symlink to .*checkout-outside-\w+\/Pulumi\.linked\.yaml, which leads outside the workspace .*: commit the stack's settings file itself/);
      expect(snapshotState(ws)).toEqual(state);
    } finally {
      fs.rmSync(link);
    }
  }, 300_000);

  it.each([
    ['an absolute path', () => path.join(outside, 'venv')],
    ['a relative path', () => relativeOutside('venv')],
  ])(
    'refuses a virtualenv outside the workspace (%s), creating nothing there',
    async (_, virtualenv) => {
      const value = virtualenv();
      fs.writeFileSync(projectFile, original.replace('virtualenv: venv', `virtualenv: ${value}`));
      const state = snapshotState(ws);
      const run = await preview('outside-venv');
      expect(entriesOf(outside)).toEqual([]);
      expectRefused(
        run,
        /Pulumi\.yaml sets runtime\.options\.virtualenv to '[^']*checkout-outside-\w+\/venv', which leads outside the workspace .*: name a folder inside the repository, such as venv/,
      );
      expect(snapshotState(ws)).toEqual(state);
    },
    300_000,
  );
});
