// The CLI arguments each step makes of the settings, for the inputs that are the CLI's own flags.
// The end-to-end suite (cli-flags.test.ts) checks the same flags reach the real CLI and do there
// what they say.
import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Step } from '../../../src/model/commands.js';
import { parseInputs } from '../../../src/inputs/inputs.js';
import type { StackSettings } from '../../../src/model/settings.js';
import { RunFiles, STEPS } from '../../../src/operation/steps.js';

const workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'steps-')));
fs.writeFileSync(path.join(workspace, 'Pulumi.yaml'), 'name: shop\nruntime: nodejs\n');
fs.writeFileSync(path.join(workspace, 'a.json'), '{}');
fs.writeFileSync(path.join(workspace, 'b.json'), '{}');
const files = new RunFiles();
afterAll(() => {
  files.remove();
  fs.rmSync(workspace, { recursive: true, force: true });
});

function argsOf(step: Step, inputs: Record<string, string>): string[] {
  const settings = parseInputs((name) => inputs[name] ?? '', { GITHUB_WORKSPACE: workspace }) as StackSettings;
  return STEPS[step].args!({ ...settings, stack: 'dev' }, files);
}

/** The flags of `args` with their values, one entry each: `--exclude a` stays together. */
function flags(args: readonly string[]): string[] {
  return args.slice(1).reduce<string[]>((all, arg) => (arg.startsWith('-') || all.length === 0 ? [...all, arg] : [...all.slice(0, -1), `${all.at(-1)} ${arg}`]), []);
}

describe('step arguments', () => {
  it('colour off by default, and nothing the defaults did not ask for', () => {
    expect(argsOf('up', { command: 'up', stack: 'dev' })).toEqual(['up', '--yes', '--skip-preview', '--color', 'never']);
  });

  it('the log options on every engine command, the repair of an interrupted update too', () => {
    const log = { color: 'always', 'log-verbosity': '9', 'log-flow': 'true', debug: 'true', 'suppress-outputs': 'true', 'suppress-progress': 'true' };
    const expected = ['--color always', '-v 9', '--logtostderr', '--logflow', '--debug', '--suppress-outputs', '--suppress-progress'];
    for (const command of ['preview', 'up', 'refresh', 'destroy', 'drift'] as const) {
      const step = command === 'drift' ? 'drift' : command;
      expect(flags(argsOf(step, { command, stack: 'dev', ...log }))).toEqual(expect.arrayContaining(expected));
    }
    expect(flags(argsOf('clear-pending', { command: 'up', stack: 'dev', ...log }))).toEqual(expect.arrayContaining(expected));
    expect(flags(argsOf('destroy-and-remove', { command: 'smoke', stack: 'smoke-1', 'ephemeral-stacks': 'smoke-*', ...log }))).toEqual(expect.arrayContaining(expected));
  });

  it('exclude and target with their dependents, as the CLI spells them', () => {
    expect(flags(argsOf('refresh', { command: 'refresh', stack: 'dev', exclude: 'urn:a\nurn:b', 'exclude-dependents': 'true' }))).toEqual(
      expect.arrayContaining(['--exclude urn:a', '--exclude urn:b', '--exclude-dependents']),
    );
    expect(flags(argsOf('preview', { command: 'preview', stack: 'dev', target: 'urn:a', 'target-dependents': 'true' }))).toEqual(expect.arrayContaining(['--target urn:a', '--target-dependents']));
  });

  it('policy pack configs after their packs, in the same order', () => {
    const args = argsOf('preview', { command: 'preview', stack: 'dev', 'policy-packs': 'p1,p2', 'policy-pack-configs': 'b.json, a.json' });
    expect(flags(args).filter((f) => f.startsWith('--policy'))).toEqual(['--policy-pack p1', '--policy-pack p2', `--policy-pack-config ${workspace}/b.json`, `--policy-pack-config ${workspace}/a.json`]);
  });

  it('continue-on-error on up and destroy only, never on the preview before an up', () => {
    expect(argsOf('up', { command: 'up', stack: 'dev', 'continue-on-error': 'true' })).toContain('--continue-on-error');
    expect(argsOf('up-as-previewed', { command: 'up', stack: 'dev', 'continue-on-error': 'true', 'deletes-need-approval': 'true' })).toContain('--continue-on-error');
    expect(argsOf('deletes-preview', { command: 'up', stack: 'dev', 'continue-on-error': 'true', 'deletes-need-approval': 'true' })).not.toContain('--continue-on-error');
    expect(argsOf('destroy', { command: 'destroy', stack: 'dev', 'continue-on-error': 'true' })).toContain('--continue-on-error');
  });

  it("the gate's preview saves the update plan the update then applies, in a folder only this user can read", () => {
    const inputs = { command: 'up', stack: 'dev', 'deletes-need-approval': 'true', target: 'urn:a' };
    const preview = flags(argsOf('deletes-preview', inputs));
    const up = flags(argsOf('up-as-previewed', inputs));
    expect(preview).toContain(`--save-plan ${files.gatePlan}`);
    expect(up).toContain(`--plan ${files.gatePlan}`);
    expect(fs.statSync(path.dirname(files.gatePlan)).mode & 0o777).toBe(0o700);
    // The same selection of resources for both.
    expect(preview).toContain('--target urn:a');
    expect(up).toContain('--target urn:a');
  });

  it('remove on an approved destroy, never on the preview of a refused one; exclude-protected on both', () => {
    const inputs = { command: 'destroy', stack: 'dev', remove: 'true', 'exclude-protected': 'true' };
    expect(argsOf('destroy', inputs)).toEqual(expect.arrayContaining(['--remove', '--exclude-protected']));
    expect(argsOf('destroy-preview', inputs)).toContain('--exclude-protected');
    expect(argsOf('destroy-preview', inputs)).not.toContain('--remove');
  });
});
