// The CLI arguments each step makes of the settings, for the inputs that are the CLI's own flags.
// The end-to-end suite (cli-flags.test.ts) checks the same flags reach the real CLI and do there
// what they say.
import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Step } from '../../../src/model/commands.js';
import { RunFiles, STEPS } from '../../../src/operation/steps.js';
import { stackSettings, WORKSPACE as workspace, type StackSettingsOverrides } from '../../support/settings.js';

const files = new RunFiles();
afterAll(() => files.remove());

function argsOf(step: Step, overrides: StackSettingsOverrides): string[] {
  return STEPS[step].args!({ ...stackSettings(overrides), stack: 'dev' }, files);
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
    const log = { log: { color: 'always', verbosity: 9, flow: true, debug: true }, suppressOutputs: true, suppressProgress: true } as const;
    const expected = ['--color always', '-v 9', '--logtostderr', '--logflow', '--debug', '--suppress-outputs', '--suppress-progress'];
    for (const command of ['preview', 'up', 'refresh', 'destroy', 'drift'] as const) {
      const step = command === 'drift' ? 'drift' : command;
      expect(flags(argsOf(step, { command, stack: 'dev', operation: log }))).toEqual(expect.arrayContaining(expected));
    }
    expect(flags(argsOf('clear-pending', { command: 'up', stack: 'dev', operation: log }))).toEqual(expect.arrayContaining(expected));
    expect(flags(argsOf('destroy-and-remove', { command: 'smoke', stack: 'smoke-1', ephemeralStacks: ['smoke-*'], operation: log }))).toEqual(expect.arrayContaining(expected));
  });

  it('exclude and target with their dependents, as the CLI spells them', () => {
    expect(flags(argsOf('refresh', { command: 'refresh', stack: 'dev', operation: { exclude: ['urn:a', 'urn:b'], excludeDependents: true } }))).toEqual(
      expect.arrayContaining(['--exclude urn:a', '--exclude urn:b', '--exclude-dependents']),
    );
    expect(flags(argsOf('preview', { command: 'preview', stack: 'dev', operation: { target: ['urn:a'], targetDependents: true } }))).toEqual(
      expect.arrayContaining(['--target urn:a', '--target-dependents']),
    );
  });

  it('policy pack configs after their packs, in the same order', () => {
    const args = argsOf('preview', { command: 'preview', stack: 'dev', operation: { policyPacks: ['p1', 'p2'], policyPackConfigs: [`${workspace}/b.json`, `${workspace}/a.json`] } });
    expect(flags(args).filter((f) => f.startsWith('--policy'))).toEqual([
      '--policy-pack p1',
      '--policy-pack p2',
      `--policy-pack-config ${workspace}/b.json`,
      `--policy-pack-config ${workspace}/a.json`,
    ]);
  });

  it('continue-on-error on up and destroy only, never on the preview before an up', () => {
    expect(argsOf('up', { command: 'up', stack: 'dev', operation: { continueOnError: true } })).toContain('--continue-on-error');
    expect(argsOf('up-as-previewed', { command: 'up', stack: 'dev', deletesNeedApproval: true, operation: { continueOnError: true } })).toContain('--continue-on-error');
    expect(argsOf('deletes-preview', { command: 'up', stack: 'dev', deletesNeedApproval: true, operation: { continueOnError: true } })).not.toContain('--continue-on-error');
    expect(argsOf('destroy', { command: 'destroy', stack: 'dev', operation: { continueOnError: true } })).toContain('--continue-on-error');
  });

  it("the gate's preview saves the update plan the update then applies, in a folder only this user can read", () => {
    const settings: StackSettingsOverrides = { command: 'up', stack: 'dev', deletesNeedApproval: true, operation: { target: ['urn:a'] } };
    const preview = flags(argsOf('deletes-preview', settings));
    const up = flags(argsOf('up-as-previewed', settings));
    expect(preview).toContain(`--save-plan ${files.gatePlan}`);
    expect(up).toContain(`--plan ${files.gatePlan}`);
    expect(fs.statSync(path.dirname(files.gatePlan)).mode & 0o777).toBe(0o700);
    // The same selection of resources for both.
    expect(preview).toContain('--target urn:a');
    expect(up).toContain('--target urn:a');
  });

  it('remove on an approved destroy, never on the preview of a refused one; exclude-protected on both', () => {
    const settings: StackSettingsOverrides = { command: 'destroy', stack: 'dev', operation: { remove: true, excludeProtected: true } };
    expect(argsOf('destroy', settings)).toEqual(expect.arrayContaining(['--remove', '--exclude-protected']));
    expect(argsOf('destroy-preview', settings)).toContain('--exclude-protected');
    expect(argsOf('destroy-preview', settings)).not.toContain('--remove');
  });
});
