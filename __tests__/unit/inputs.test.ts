import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, parseConfig, parseInputs } from '../../src/inputs.js';
import { PINNED_PULUMI_VERSION, type StackSettings } from '../../src/settings.js';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-'));
fs.mkdirSync(path.join(workspace, 'infra'));
fs.writeFileSync(path.join(workspace, 'infra', 'Pulumi.yaml'), 'name: shop\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n');
fs.writeFileSync(path.join(workspace, 'Pulumi.yaml'), 'name: root\nruntime: nodejs\n');
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

function parseAny(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return parseInputs((name) => inputs[name] ?? '', { GITHUB_WORKSPACE: workspace, ...env });
}

function parse(inputs: Record<string, string>, env: Record<string, string> = {}): StackSettings {
  const settings = parseAny(inputs, env);
  if (settings.command === 'cleanup' || settings.command === 'detect' || settings.command === 'comment') throw new Error(`not a stack command: ${settings.command}`);
  return settings;
}

describe('parseInputs', () => {
  it('fills defaults and reads the project file', () => {
    const settings = parse({ command: 'preview', stack: 'dev' });
    expect(settings).toMatchObject({
      command: 'preview',
      stack: 'dev',
      workDir: fs.realpathSync(workspace),
      project: { name: 'root', runtime: 'nodejs', runtimeOptions: {} },
      config: [],
      refresh: false,
      installDependencies: true,
      ephemeralStacks: [],
      pulumiVersion: PINNED_PULUMI_VERSION,
      destroyApproved: false,
      comment: { mode: 'update', issueNumber: undefined },
    });
  });

  it('reads runtime options, lists and numbers', () => {
    const settings = parse({
      command: 'up',
      stack: 'prod.eu',
      'work-dir': 'infra',
      project: 'shop',
      'ephemeral-stacks': 'pr-*, smoke-*\npreview-*',
      target: 'urn:a\nurn:b',
      parallel: '4',
      'expect-no-changes': 'true',
    });
    expect(settings.project).toEqual({ name: 'shop', runtime: 'python', runtimeOptions: { virtualenv: '.venv' } });
    expect(settings.ephemeralStacks).toEqual(['pr-*', 'smoke-*', 'preview-*']);
    expect(settings.operation).toMatchObject({ target: ['urn:a', 'urn:b'], parallel: 4, expectNoChanges: true });
  });

  it('approves destroy only for exactly "true"', () => {
    expect(parse({ command: 'destroy', stack: 'dev' }, { PULUMI_DESTROY_APPROVED: 'true' }).destroyApproved).toBe(true);
    for (const value of ['TRUE', ' true', '1', 'yes', 'true ']) {
      expect(parse({ command: 'destroy', stack: 'dev' }, { PULUMI_DESTROY_APPROVED: value }).destroyApproved).toBe(false);
    }
  });

  it('takes the pull request from the event, and pr-number over it', () => {
    const event = path.join(workspace, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 12 } }));
    expect(parse({ command: 'preview', stack: 'dev' }, { GITHUB_EVENT_PATH: event }).comment.issueNumber).toBe(12);
    expect(parse({ command: 'preview', stack: 'dev', 'pr-number': '7' }, { GITHUB_EVENT_PATH: event }).comment.issueNumber).toBe(7);
    expect(parse({ command: 'preview', stack: 'dev', 'comment-on-pr': 'false' }, { GITHUB_EVENT_PATH: event }).comment.mode).toBe('off');
  });

  it('accepts org on a Pulumi Cloud backend and the one org of a self-managed one', () => {
    expect(parse({ command: 'up', stack: 'dev', org: 'acme', 'backend-url': 'https://api.pulumi.com' }).org).toBe('acme');
    expect(parse({ command: 'up', stack: 'dev', org: 'organization', 'backend-url': 'file:///tmp/x' }).org).toBe('organization');
    expect(() => parse({ command: 'up', stack: 'dev', org: 'acme' }, { PULUMI_BACKEND_URL: 'postgres://db' })).toThrow(InputError);
  });
});

describe('parseConfig', () => {
  it('turns scalars and objects into entries', () => {
    expect(parseConfig('{"region": "eu-west-1", "aws:retries": 3, "debug": false, "token": {"value": "s", "secret": true}, "a.b[0]": {"value": 1, "path": true}}')).toEqual([
      { key: 'region', value: 'eu-west-1', secret: false, path: false },
      { key: 'aws:retries', value: '3', secret: false, path: false },
      { key: 'debug', value: 'false', secret: false, path: false },
      { key: 'token', value: 's', secret: true, path: false },
      { key: 'a.b[0]', value: '1', secret: false, path: true },
    ]);
  });

  it('is empty for an empty input', () => {
    expect(parseConfig('  ')).toEqual([]);
  });

  it.each([
    ['[1]', /not an array/],
    ['null', /not object/],
    ['{"a": {"value": {"x": 1}}}', /must look like/],
    ['{"a": NaN}', /not valid JSON/],
    ['{"a\\u0000": "x"}', /without control characters/],
  ])('rejects %s', (raw, expected) => {
    expect(() => parseConfig(raw)).toThrow(expected);
  });
});

describe('JSON inputs', () => {
  it('never quote the text in a parse error: it may hold a secret not yet masked', () => {
    for (const text of ['{"token": {"value": "s3cret-value", "secret": tru}}', '{"token": "s3cret-value" "b": 1}']) {
      let message = '';
      try {
        parseConfig(text);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^Input 'config' is not valid JSON/);
      expect(message).not.toContain('s3cret');
    }
    expect(() => parseConfig('{"a": 1 "b": 2}')).toThrow("Input 'config' is not valid JSON at line 1, column 9");
  });
});

describe('paths inside the workspace', () => {
  it('accept a folder whose name starts with two dots, for work-dir and plan', () => {
    fs.mkdirSync(path.join(workspace, '..x'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '..x', 'Pulumi.yaml'), 'name: dots\nruntime: python\n');
    const settings = parse({ command: 'preview', stack: 'dev', 'work-dir': '..x', plan: '..x/plan.json' });
    expect(settings.workDir).toBe(path.join(fs.realpathSync(workspace), '..x'));
    expect(settings.planFile).toBe(path.join(fs.realpathSync(workspace), '..x', 'plan.json'));
  });

  it('refuse a plan file that is a symlink out of the workspace', () => {
    fs.symlinkSync(os.tmpdir(), path.join(workspace, 'tmp-link'));
    fs.symlinkSync(path.join(os.tmpdir(), 'elsewhere.json'), path.join(workspace, 'dangling.json'));
    expect(() => parse({ command: 'preview', stack: 'dev', plan: 'tmp-link/plan.json' })).toThrow(/Input 'plan' is 'tmp-link\/plan.json', which leads outside the workspace/);
    // Dangling: the CLI would create the file where the link points.
    expect(() => parse({ command: 'preview', stack: 'dev', plan: 'dangling.json' })).toThrow(/Input 'plan' is 'dangling.json', which leads outside the workspace/);
    fs.writeFileSync(path.join(os.tmpdir(), 'elsewhere.json'), '{}');
    try {
      expect(() => parse({ command: 'preview', stack: 'dev', plan: 'dangling.json' })).toThrow(/which leads outside the workspace/);
    } finally {
      fs.rmSync(path.join(os.tmpdir(), 'elsewhere.json'), { force: true });
    }
  });
});
