// Every bad input fails the step with one error naming the input, exit code 1, and leaves the
// backend's state byte-for-byte as it was.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorsOf, makeWorkspace, runStep, snapshotState, type Workspace } from '../support/e2e.js';

let ws: Workspace;
let state: Map<string, string>;

beforeAll(async () => {
  ws = makeWorkspace('python');
  fs.symlinkSync('/etc', path.join(ws.root, 'escape'));
  const up = await runStep(ws, {
    inputs: { command: 'up', stack: 'dev', config: JSON.stringify({ outDir: ws.outDir }) },
  });
  expect(up.code).toBe(0);
  // Production, which no pattern in ephemeral-stacks may open for a destroy without approval.
  const prod = await runStep(ws, {
    inputs: { command: 'up', stack: 'prod', config: JSON.stringify({ outDir: path.join(ws.root, 'out-prod') }) },
  });
  expect(prod.code).toBe(0);
  state = snapshotState(ws);
}, 300_000);

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

type Case = [description: string, inputs: Record<string, string>, expected: RegExp, env?: Record<string, string>];

const deep = '['.repeat(5000) + ']'.repeat(5000);
const cases: Case[] = [
  ['config that is not JSON', { config: '{"message": "hi",}' }, /Input 'config' is not valid JSON/],
  ['config that is an array', { config: '["a"]' }, /Input 'config' must be a JSON object.*not an array/],
  ['config that is a string', { config: '"text"' }, /Input 'config' must be a JSON object.*not string/],
  ['config with a nested object value', { config: '{"a": {"b": 1}}' }, /Input 'config' key 'a' has a nested object value/],
  ['config with a list value', { config: '{"a": [1, 2]}' }, /Input 'config' key 'a' has a list value/],
  ['config with a null value', { config: '{"a": null}' }, /Input 'config' key 'a' has a null value/],
  ['config with an empty key', { config: '{"": "x"}' }, /Input 'config' has the key ''/],
  ['config secret flag not boolean', { config: '{"t": {"value": "x", "secret": "yes"}}' }, /Input 'config' key 't' must look like/],
  ['config with an unknown field', { config: '{"t": {"value": "x", "secrte": true}}' }, /unknown field 'secrte'/],
  ['config deeply nested', { config: deep }, /Input 'config' must be a JSON object/],
  ['config over 64 KiB', { config: JSON.stringify({ big: 'x'.repeat(100_000) }) }, /Input 'config' is \d+ characters long: keep it under 64 KiB/],
  ['an unknown command', { command: 'deploy' }, /Input 'command' is 'deploy': use one of preview, up, refresh, destroy, output/],
  ['a missing command', { command: '' }, /Input 'command' is required/],
  ['a missing stack', { stack: '' }, /Input 'stack' is required/],
  ['a stack name with shell metacharacters', { stack: 'dev;$(reboot)' }, /Input 'stack' is 'dev;\$\(reboot\)': use only letters/],
  ['a stack name with a backtick', { stack: 'dev`id`' }, /Input 'stack' is 'dev`id`': use only letters/],
  ['a stack name with a path separator', { stack: '../dev' }, /Input 'stack' is '\.\.\/dev': give the short name only/],
  ['a stack name with a leading dash', { stack: '--yes' }, /Input 'stack' is '--yes': use only letters.*not starting with '-'/],
  ['a stack name with a unicode look-alike', { stack: 'dеv' }, /Input 'stack' is 'd\\u0435v'|Input 'stack' is 'dеv'/],
  ['a stack name with a newline', { stack: 'dev\nprod' }, /Input 'stack' is 'dev\\nprod'/],
  ['an org with a space', { org: 'my org' }, /Input 'org' is 'my org'/],
  ['an org on a self-managed backend', { org: 'acme' }, /Input 'org' is 'acme', but self-managed backends/],
  ['a project that does not match Pulumi.yaml', { project: 'other' }, /Input 'project' is 'other' but .* names the project 'files-py'/],
  ['a project name with a slash', { project: 'a/b' }, /Input 'project' is 'a\/b'/],
  ['a work-dir that does not exist', { 'work-dir': 'nope' }, /Input 'work-dir' is 'nope', which does not exist/],
  ['a work-dir with .. out of the workspace', { 'work-dir': '../..' }, /Input 'work-dir' is '\.\.\/\.\.', which leads outside the workspace/],
  ['a work-dir through a symlink out of the workspace', { 'work-dir': 'escape' }, /which leads outside the workspace/],
  ['a work-dir without Pulumi.yaml', { 'work-dir': 'infra' }, /has no Pulumi.yaml/],
  ['refresh that is not a boolean', { refresh: 'yes' }, /Input 'refresh' is 'yes': use true or false/],
  ['parallel that is not a number', { parallel: 'many' }, /Input 'parallel' is 'many': use a whole number/],
  ['replace with refresh', { command: 'refresh', replace: 'urn:pulumi:dev::files-py::x::y' }, /Input 'replace' does not apply to command 'refresh'/],
  ['expect-no-changes with output', { command: 'output', 'expect-no-changes': 'true' }, /Input 'expect-no-changes' does not apply to command 'output'/],
  ['an unknown comment-mode', { 'comment-mode': 'sticky' }, /Input 'comment-mode' is 'sticky': use one of update, new, off/],
  ['a pulumi-version that is not a range', { 'pulumi-version': 'latest-ish' }, /Input 'pulumi-version' is 'latest-ish'/],
  ['a pr-number that is not a number', { 'pr-number': '#12' }, /Input 'pr-number' is '#12'/],
  ['config with a number for a key', { config: '{1: "x"}' }, /Input 'config' is not valid JSON/],
  ['a stack name with glob characters, to look ephemeral', { command: 'destroy', stack: 'pr-*', 'ephemeral-stacks': 'pr-*' }, /Input 'stack' is 'pr-\*': use only letters/],
  ['a stack name over 100 characters', { stack: 'a'.repeat(101) }, /Input 'stack' is 'a{80}…': use only letters.*at most 100 characters/],
  ['an org with a leading dash', { org: '-acme', 'backend-url': 'https://api.pulumi.com' }, /Input 'org' is '-acme'/],
  ['a project with a leading dash', { project: '-files' }, /Input 'project' is '-files'/],
  ['an absolute work-dir outside the workspace', { 'work-dir': '/etc' }, /Input 'work-dir' is '\/etc', which leads outside the workspace/],
  ['a ttl that is not a duration', { command: 'smoke', stack: 'smoke-1', 'ephemeral-stacks': 'smoke-*', ttl: 'forever' }, /Input 'ttl' is 'forever': use a number with a unit/],
  ['a negative lock-timeout', { 'lock-timeout': '-1m' }, /Input 'lock-timeout' is '-1m'/],
  ['expect-outputs that is not JSON', { command: 'smoke', stack: 'smoke-1', 'ephemeral-stacks': 'smoke-*', 'expect-outputs': 'url=https' }, /Input 'expect-outputs' is not valid JSON/],
  ['expect-outputs for a command that checks none', { 'expect-outputs': '{"a": 1}' }, /Input 'expect-outputs' does not apply to command 'up'/],
  ['a plan for refresh', { command: 'refresh', plan: 'plan.json' }, /Input 'plan' does not apply to command 'refresh'/],
  ['a plan outside the workspace', { command: 'preview', plan: '../plan.json' }, /Input 'plan' is '\.\.\/plan\.json', which leads outside the workspace/],
  ['a plan at an absolute path', { command: 'preview', plan: '/tmp/plan.json' }, /Input 'plan' is '\/tmp\/plan\.json', which leads outside the workspace/],
  ['a plan through a symlink out of the workspace', { command: 'preview', plan: 'escape/plan.json' }, /Input 'plan' is 'escape\/plan\.json', which leads outside the workspace/],
  ['a plan in a folder that does not exist', { command: 'preview', plan: 'nope/plan.json' }, /Input 'plan' is 'nope\/plan\.json', whose folder does not exist/],
  ['require-approval with the token emptied', { 'require-approval': 'production', 'github-token': '' }, /Input 'require-approval' needs .* 'github-token'/],
  ['a smoke stack that is not ephemeral', { command: 'smoke', stack: 'prod', 'ephemeral-stacks': 'smoke-*' }, /Input 'stack' is 'prod', which does not match 'ephemeral-stacks'/],
  ['a stack for detect', { command: 'detect', stack: 'dev' }, /Input 'stack' does not apply to command 'detect'/],
  ['ephemeral-stacks matching every stack, for a destroy', { command: 'destroy', 'ephemeral-stacks': 'pr-*, *' }, /Input 'ephemeral-stacks' has '\*', which matches every stack name/],
  ['ephemeral-stacks matching every stack, for a smoke test', { command: 'smoke', stack: 'prod', 'ephemeral-stacks': '?*' }, /Input 'ephemeral-stacks' has '\?\*', which matches every stack name/],
  [
    'ephemeral-stacks with a typo that matches production, for its destroy',
    { command: 'destroy', stack: 'prod', 'ephemeral-stacks': 'pr*' },
    /Input 'ephemeral-stacks' has 'pr\*', which matches the stack name 'prod'/,
  ],
  [
    'ephemeral-stacks matching a production name, among others',
    { command: 'destroy', stack: 'prod', 'ephemeral-stacks': 'smoke-*\n*o*' },
    /Input 'ephemeral-stacks' has '\*o\*', which matches the stack name 'prod'/,
  ],
];

describe('bad input', () => {
  it.each(cases.map(([description, inputs, expected, env]) => ({ description, inputs, expected, env })))('$description', async ({ inputs, expected, env }) => {
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', ...inputs }, env });
    const errors = errorsOf(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::inputs: /);
    expect(errors[0]).toMatch(expected);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotState(ws)).toEqual(state);
  });

  it('a malformed Pulumi.yaml', async () => {
    const file = path.join(ws.root, ws.workDir, 'Pulumi.yaml');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, 'name: [unclosed\n');
    try {
      const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev' } });
      expect(run.code).toBe(1);
      expect(errorsOf(run)[0]).toMatch(/Pulumi.yaml is not valid YAML/);
      expect(snapshotState(ws)).toEqual(state);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('a requirements.txt that pulls a missing package: pip says so, nothing is touched', async () => {
    const file = path.join(ws.root, ws.workDir, 'requirements.txt');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${original}no-such-package-for-pulumi-stack-action==0.0.1\n`);
    try {
      const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev' } });
      expect(run.code).toBe(1);
      const errors = errorsOf(run);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^::error::dependencies: .*pip install.* failed with exit code 1/);
      expect(errors[0]).toMatch(/no-such-package-for-pulumi-stack-action/);
      expect(run.stdout).toContain('::group::Dependencies: Python virtual environment venv (pip)');
      expect(snapshotState(ws)).toEqual(state);
    } finally {
      fs.writeFileSync(file, original);
    }
  }, 300_000);

  it('an ephemeral pattern that excludes the stack does not approve its destroy', async () => {
    const run = await runStep(ws, { inputs: { command: 'destroy', stack: 'dev', 'ephemeral-stacks': '!dev' } });
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(/^::error::operation: Destroying stack 'dev' needs approval/);
    expect(snapshotState(ws)).toEqual(state);
  });

  it('a stack that does not exist, for a command that cannot create one', async () => {
    const run = await runStep(ws, { inputs: { command: 'refresh', stack: 'nosuchstack' } });
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(/^::error::stack: .*nosuchstack/);
    expect(snapshotState(ws)).toEqual(state);
  }, 120_000);
});
