// The contract between action.yml and the code, as a runner applies it: every declared input
// reaches every run, with its declared default where the workflow gives none. A command that
// fails on a default fails for every user of it, whatever the other tests say.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yaml from 'js-yaml';
import { parseInputs } from '../../src/inputs/inputs.js';
import { COMMANDS, DECLARED_INPUTS, STACK_COMMANDS, type Command, type InputName } from '../../src/model/settings.js';
import { RESERVED_OUTPUTS } from '../../src/report/outputs.js';
import { declaredInputs, evaluateDefault, inputEnv, inputVariable, REPO, RUNNER_TOKEN } from '../../scripts/runner.mjs';

const action = yaml.load(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
};

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-'));
fs.cpSync(path.join(REPO, 'examples', 'python', 'Pulumi.yaml'), path.join(workspace, 'Pulumi.yaml'));

/** What a command needs beyond the defaults: a stack to act on, and for smoke one it may destroy. */
function essentials(command: Command): Record<string, string> {
  if (command === 'cleanup' || command === 'detect' || command === 'install') return { command };
  if (command === 'smoke') return { command, stack: 'smoke-1', 'ephemeral-stacks': 'smoke-*' };
  return { command, stack: 'dev' };
}

/** Runs the inputs stage on the environment a runner would build, recording what the code reads. */
function inputsStage(given: Record<string, string>) {
  const env = inputEnv(given, { github: { token: RUNNER_TOKEN }, runner: {} });
  const read = new Set<string>();
  // As @actions/core reads an input: its variable, trimmed.
  const getInput = (name: InputName) => {
    read.add(name);
    return (env[inputVariable(name)] ?? '').trim();
  };
  // `comment` answers a comment on GitHub: it runs only on that event, in a repository.
  const runner = given.command === 'comment' ? { GITHUB_EVENT_NAME: 'issue_comment', GITHUB_REPOSITORY: 'octo-org/infra' } : {};
  const settings = parseInputs(getInput, { GITHUB_WORKSPACE: workspace, ...runner, ...env });
  return { settings, read, env };
}

describe('action.yml and the inputs stage', () => {
  it('declares exactly the inputs the code knows, with the same defaults', () => {
    const declared = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, String(spec.default ?? '')]));
    expect(declared).toEqual(DECLARED_INPUTS);
  });

  it('describes every input and output', () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect({ name, description: typeof spec.description === 'string' && spec.description.length > 10 }).toEqual({ name, description: true });
    }
  });

  it.each(COMMANDS)('passes %s with nothing but the declared defaults', (command) => {
    const { settings, env } = inputsStage(essentials(command));
    expect(settings.command).toBe(command);
    // The emulation really did pass the defaults, expressions evaluated.
    expect(env['INPUT_TTL']).toBe('24h');
    expect(env['INPUT_GITHUB-TOKEN']).toBe(RUNNER_TOKEN);
  });

  it.each(COMMANDS)('accepts %s with every default written out in the workflow', (command) => {
    const written = Object.fromEntries(Object.entries(DECLARED_INPUTS).filter(([, value]) => value && !value.includes('${{')));
    expect(inputsStage({ ...written, ...essentials(command) }).settings.command).toBe(command);
  });

  it('reads no input action.yml does not declare, and every declared input for some command', () => {
    const read = new Set<string>();
    for (const command of COMMANDS) for (const name of inputsStage(essentials(command)).read) read.add(name);
    expect([...read].sort()).toEqual(Object.keys(declaredInputs()).sort());
  });

  it('still refuses an option given to a command it does not apply to', () => {
    expect(() => inputsStage({ ...essentials('preview'), ttl: '6h' })).toThrow("Input 'ttl' does not apply to command 'preview'");
    expect(() => inputsStage({ ...essentials('output'), refresh: 'true' })).toThrow("Input 'refresh' does not apply to command 'output'");
  });

  it('marks only command as required, as the README says', () => {
    const required = Object.entries(action.inputs)
      .filter(([, spec]) => spec.required)
      .map(([name]) => name);
    expect(required).toEqual(['command']);
    // stack is required by the code for the commands that act on one stack.
    for (const command of STACK_COMMANDS) expect(() => inputsStage({ command })).toThrow("Input 'stack' is required");
  });
});

describe('the emulated runner (scripts/runner.mjs)', () => {
  const declared = { 'my input': { default: '${{ github.workspace }}/x' }, 'with-dash': { required: true }, plain: { default: 'p' } };
  const contexts = { github: { workspace: '/w', token: 't' }, runner: {} };

  it('names variables as the runner does and passes every declared input', () => {
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
    expect(inputEnv({ plain: 'given' }, contexts, declared)).toEqual({ INPUT_MY_INPUT: '/w/x', 'INPUT_WITH-DASH': '', INPUT_PLAIN: 'given' });
  });

  it('refuses what it cannot emulate: an undeclared input, an unknown expression', () => {
    expect(() => inputEnv({ other: '1' }, contexts, declared)).toThrow('action.yml declares no input other');
    expect(() => evaluateDefault('${{ secrets.X }}', contexts)).toThrow('cannot evaluate ${{ secrets.X }}');
    expect(() => evaluateDefault("${{ format('{0}', github.token) }}", contexts)).toThrow('cannot evaluate');
  });
});

describe('action.yml and the step outputs', () => {
  it('declares every output the action sets', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...RESERVED_OUTPUTS, 'removed', 'matrix'].sort());
  });
});
