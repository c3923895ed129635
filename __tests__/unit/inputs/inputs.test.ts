import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkProjectPaths, InputError, parseConfig, parseExpectOutputs, parseInputs, parseRequiredRole, parseRequirements, realLocation } from '../../../src/inputs/inputs.js';
import { PINNED_PULUMI_VERSION, type ProjectFile, type StackSettings } from '../../../src/model/settings.js';
import { stackSettings } from '../../support/settings.js';

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
  if (settings.command === 'cleanup' || settings.command === 'detect' || settings.command === 'comment' || settings.command === 'install') throw new Error(`not a stack command: ${settings.command}`);
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

  it("reads for up on dev, by default, what the later stages' tests build with stackSettings", () => {
    const real = fs.realpathSync(workspace);
    expect(parse({ command: 'up', stack: 'dev' })).toEqual(stackSettings({ workspace: real, workDir: real, project: { name: 'root', runtime: 'nodejs', runtimeOptions: {} } }));
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

  it('refuses an ephemeral pattern that matches a name production goes by, naming both', () => {
    for (const command of ['destroy', 'up', 'smoke', 'cleanup']) {
      const stack: Record<string, string> = command === 'cleanup' ? {} : { stack: command === 'smoke' ? 'pr-1' : 'prod' };
      expect(() => parseAny({ command, ...stack, 'ephemeral-stacks': 'smoke-*, pr*' })).toThrow(
        new InputError(
          "Input 'ephemeral-stacks' has 'pr*', which matches the stack name 'prod', a usual name for production, whose destroy it would let run without approval: pin more of the name, such as pr-* or smoke-*.",
        ),
      );
    }
    expect(() => parseAny({ command: 'cleanup', 'ephemeral-stacks': 'm*' })).toThrow(/has 'm\*', which matches the stack name 'main'/);
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

describe('the inputs users of pulumi/actions rely on', () => {
  it('default to what the CLI does without them, and the job summary on', () => {
    const settings = parse({ command: 'up', stack: 'dev' });
    expect(settings.jobSummary).toBe(true);
    expect(settings.operation).toMatchObject({
      exclude: [],
      excludeDependents: false,
      targetDependents: false,
      continueOnError: false,
      suppressOutputs: false,
      suppressProgress: false,
      policyPackConfigs: [],
      log: { color: 'never', verbosity: undefined, flow: false, debug: false },
    });
  });

  it('read lists, switches and the log options', () => {
    const settings = parse({
      command: 'destroy',
      stack: 'dev',
      exclude: 'urn:a, urn:b\n**/files:File::*',
      'exclude-dependents': 'true',
      'exclude-protected': 'true',
      'continue-on-error': 'true',
      remove: 'true',
      'suppress-outputs': 'true',
      'suppress-progress': 'true',
      color: 'always',
      'log-verbosity': '11',
      'log-flow': 'true',
      debug: 'true',
      'comment-on-summary': 'false',
    });
    expect(settings.jobSummary).toBe(false);
    expect(settings.operation).toMatchObject({
      exclude: ['urn:a', 'urn:b', '**/files:File::*'],
      excludeDependents: true,
      excludeProtected: true,
      continueOnError: true,
      remove: true,
      suppressOutputs: true,
      suppressProgress: true,
      log: { color: 'always', verbosity: 11, flow: true, debug: true },
    });
    expect(parse({ command: 'up', stack: 'dev', target: 'urn:a', 'target-dependents': 'true' }).operation).toMatchObject({ target: ['urn:a'], targetDependents: true });
  });

  it.each([
    [{ command: 'preview', target: 'urn:a', exclude: 'urn:b' }, "Inputs 'target' and 'exclude' cannot be used together"],
    [{ command: 'up', 'target-dependents': 'true' }, "Input 'target-dependents' needs 'target'"],
    [{ command: 'refresh', 'exclude-dependents': 'true' }, "Input 'exclude-dependents' needs 'exclude'"],
    [{ command: 'destroy', target: 'urn:a', 'exclude-protected': 'true' }, "Input 'exclude-protected' cannot be used with 'target'"],
    [{ command: 'preview', 'continue-on-error': 'true' }, "Input 'continue-on-error' does not apply to command 'preview': remove it, or use it with up, destroy, comment."],
    [{ command: 'refresh', 'continue-on-error': 'true' }, "Input 'continue-on-error' does not apply to command 'refresh'"],
    [{ command: 'up', remove: 'true' }, "Input 'remove' does not apply to command 'up': remove it, or use it with destroy, comment."],
    [{ command: 'up', 'exclude-protected': 'true' }, "Input 'exclude-protected' does not apply to command 'up'"],
    [{ command: 'drift', exclude: 'urn:a' }, "Input 'exclude' does not apply to command 'drift'"],
    [{ command: 'output', color: 'always' }, "Input 'color' does not apply to command 'output'"],
    [{ command: 'refresh', 'policy-pack-configs': 'a.json' }, "Input 'policy-pack-configs' does not apply to command 'refresh'"],
    [{ command: 'up', color: 'sometimes' }, "Input 'color' is 'sometimes': use one of always, never, raw, auto."],
    [{ command: 'up', 'log-verbosity': '0' }, "Input 'log-verbosity' is '0': use a whole number from 1 to 11"],
    [{ command: 'up', 'log-verbosity': '12' }, "Input 'log-verbosity' is '12'"],
    [{ command: 'up', 'log-verbosity': '2.5' }, "Input 'log-verbosity' is '2.5'"],
    [{ command: 'up', 'log-flow': 'true' }, "Input 'log-flow' passes 'log-verbosity' on to plugins, and 'log-verbosity' is not set"],
    [{ command: 'up', 'suppress-outputs': 'yes' }, "Input 'suppress-outputs' is 'yes': use true or false."],
    [{ command: 'up', 'comment-on-summary': 'off' }, "Input 'comment-on-summary' is 'off': use true or false."],
  ])('refuse %j', (inputs, message) => {
    expect(() => parse({ stack: 'dev', ...inputs })).toThrow(InputError);
    expect(() => parse({ stack: 'dev', ...inputs })).toThrow(message);
  });

  it('allow exclude-dependents with exclude-protected alone, on destroy', () => {
    expect(parse({ command: 'destroy', stack: 'dev', 'exclude-protected': 'true', 'exclude-dependents': 'true' }).operation.excludeDependents).toBe(true);
  });
});

/** A file beside the workspace, not in it. */
const outside = `${path.basename(workspace)}-outside.json`;
fs.writeFileSync(path.join(workspace, '..', outside), '{}');
afterAll(() => fs.rmSync(path.join(workspace, '..', outside), { force: true }));

describe('policy-pack-configs', () => {
  const infra = path.join(workspace, 'infra');
  fs.writeFileSync(path.join(infra, 'a.json'), '{}');
  fs.mkdirSync(path.join(infra, 'policy'), { recursive: true });
  fs.writeFileSync(path.join(infra, 'policy', 'b.json'), '{}');
  fs.symlinkSync(path.join(workspace, '..', outside), path.join(infra, 'linked.json'));

  it('are relative to work-dir, like the packs they pair with, and keep their order', () => {
    const settings = parse({ command: 'preview', stack: 'dev', 'work-dir': 'infra', project: 'shop', 'policy-packs': 'packs/a, packs/b', 'policy-pack-configs': 'policy/b.json\na.json' });
    const real = fs.realpathSync(infra);
    expect(settings.operation.policyPackConfigs).toEqual([path.join(real, 'policy', 'b.json'), path.join(real, 'a.json')]);
  });

  it.each([
    [{ 'policy-packs': 'p1,p2', 'policy-pack-configs': 'a.json' }, "Input 'policy-pack-configs' lists 1 file(s) but 'policy-packs' lists 2 pack(s)"],
    [{ 'policy-pack-configs': 'a.json' }, "Input 'policy-pack-configs' lists 1 file(s) but 'policy-packs' lists 0 pack(s)"],
    [{ 'policy-packs': 'p1', 'policy-pack-configs': 'missing.json' }, "Input 'policy-pack-configs' names 'missing.json', which does not exist in the workspace"],
    [{ 'policy-packs': 'p1', 'policy-pack-configs': 'policy' }, "Input 'policy-pack-configs' names 'policy', which is not a file"],
    [{ 'policy-packs': 'p1', 'policy-pack-configs': `../../${outside}` }, `Input 'policy-pack-configs' names '../../${outside}', which leads outside the workspace`],
    [{ 'policy-packs': 'p1', 'policy-pack-configs': 'linked.json' }, "Input 'policy-pack-configs' names 'linked.json', which leads outside the workspace"],
  ])('refuse %j', (inputs, message) => {
    expect(() => parse({ command: 'up', stack: 'dev', 'work-dir': 'infra', ...inputs })).toThrow(message);
  });
});

describe('pulumi-version-file', () => {
  const versionFile = (name: string, text: string) => {
    fs.writeFileSync(path.join(workspace, name), text);
    return name;
  };

  it('reads one version, whitespace trimmed and a leading v allowed, relative to the workspace', () => {
    expect(parse({ command: 'up', stack: 'dev', 'pulumi-version-file': versionFile('.pulumi-version', ' v3.200.1\n') }).pulumiVersion).toBe('3.200.1');
    expect(parseAny({ command: 'detect', 'pulumi-version-file': versionFile('.pv', '3.201.0') }).pulumiVersion).toBe('3.201.0');
    // The declared default written out is no choice of the workflow's.
    expect(parse({ command: 'up', stack: 'dev', 'pulumi-version': PINNED_PULUMI_VERSION, 'pulumi-version-file': '.pv' }).pulumiVersion).toBe('3.201.0');
  });

  it.each([
    [{ 'pulumi-version': '^3', 'pulumi-version-file': '.pv' }, "Inputs 'pulumi-version' and 'pulumi-version-file' both name the Pulumi CLI's version: keep one of them."],
    [{ 'pulumi-version-file': 'nope' }, "Input 'pulumi-version-file' names 'nope', which does not exist in the workspace"],
    [{ 'pulumi-version-file': 'infra' }, "Input 'pulumi-version-file' names 'infra', which is not a file"],
    [{ 'pulumi-version-file': `../${outside}` }, `Input 'pulumi-version-file' names '../${outside}', which leads outside the workspace`],
  ])('refuses %j', (inputs, message) => {
    versionFile('.pv', '3.201.0');
    expect(() => parse({ command: 'up', stack: 'dev', ...inputs })).toThrow(message);
  });

  it.each(['', '^3.200', '3.200', '3.200.1\n3.201.0', 'latest'])('refuses a file holding %j', (text) => {
    expect(() => parse({ command: 'up', stack: 'dev', 'pulumi-version-file': versionFile('.bad-version', text) })).toThrow(
      /Input 'pulumi-version-file' names .*\.bad-version, which holds .* rather than one version/,
    );
  });
});

describe('parseInputs for comment', () => {
  const runner = { GITHUB_EVENT_NAME: 'issue_comment', GITHUB_REPOSITORY: 'octo-org/infra' };
  const comment = (inputs: Record<string, string>) => {
    const settings = parseAny({ command: 'comment', stack: 'staging, prod', 'github-token': 'ghs_x', ...inputs }, runner);
    if (settings.command !== 'comment') throw new Error(`not comment: ${settings.command}`);
    return settings;
  };

  it('takes only approvals of the head and no forks unless told otherwise', () => {
    expect(comment({}).prCommand).toEqual({ requiredRole: 'write', requirements: ['approved'], staleApprovals: false, allowForks: false });
    expect(comment({ 'pr-command-stale-approvals': 'true', 'pr-command-allow-forks': 'true' }).prCommand).toMatchObject({ staleApprovals: true, allowForks: true });
  });

  it.each(['pr-command-stale-approvals', 'pr-command-allow-forks'])('refuses %s other than true or false, naming it', (input) => {
    expect(() => comment({ [input]: 'yes' })).toThrow(new InputError(`Input '${input}' is 'yes': use true or false.`));
  });
});

describe('paths the checkout names', () => {
  // A workspace with a project in it, and a folder beside it that no checkout may write to.
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-')));
  const beside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'beside-')));
  const workDir = path.join(root, 'infra');
  fs.mkdirSync(workDir);
  fs.writeFileSync(path.join(workDir, 'Pulumi.yaml'), 'name: shop\nruntime: python\n');
  fs.writeFileSync(path.join(root, 'shared.yaml'), 'config: {}\n');
  fs.symlinkSync(beside, path.join(root, 'out-link'));
  fs.symlinkSync(path.join(root, 'shared-venvs'), path.join(root, 'in-link'));
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(beside, { recursive: true, force: true });
  });

  const python = (options: Record<string, unknown> = {}, stackConfigDir?: string): ProjectFile => ({
    name: 'shop',
    runtime: 'python',
    runtimeOptions: options,
    ...(stackConfigDir === undefined ? {} : { stackConfigDir }),
  });
  const check = (project: ProjectFile) => () => checkProjectPaths(project, workDir, root);
  /** A symlink in the project's folder for the duration of `run`. */
  function withLink(name: string, target: string, run: () => void): void {
    fs.symlinkSync(target, path.join(workDir, name));
    try {
      run();
    } finally {
      fs.rmSync(path.join(workDir, name));
    }
  }

  it('realLocation follows symlinks to a path that need not exist, and not through a dangling one', () => {
    expect(realLocation(path.join(root, 'out-link', 'a', 'b'))).toBe(path.join(beside, 'a', 'b'));
    expect(realLocation(path.join(root, 'infra', 'Pulumi.yaml'))).toBe(path.join(workDir, 'Pulumi.yaml'));
    // in-link points at a folder that does not exist: a write would create it, wherever that is.
    expect(realLocation(path.join(root, 'in-link', 'venv'))).toBeUndefined();
    // A file where a folder is named: the write fails anyway; the path is judged by the file's folder.
    expect(realLocation(path.join(workDir, 'Pulumi.yaml', 'x'))).toBe(path.join(workDir, 'Pulumi.yaml', 'x'));
  });

  it('accept what stays inside: stack folders, stack files linked inside, virtual environments', () => {
    expect(check(python())).not.toThrow();
    expect(check(python({ virtualenv: '.venv' }, 'stacks'))).not.toThrow();
    // The CLI joins stackConfigDir to the project's folder, an absolute one too.
    expect(check(python({}, '/etc'))).not.toThrow();
    expect(check(python({ virtualenv: '../shared.yaml.venv' }, '..'))).not.toThrow();
    withLink('Pulumi.dev.yaml', path.join(root, 'shared.yaml'), () => expect(check(python())).not.toThrow());
    // A Node.js program has no virtual environment for the action to make.
    withLink('venv', beside, () => expect(check({ name: 'shop', runtime: 'nodejs', runtimeOptions: {} })).not.toThrow());
  });

  it.each([
    ['out of the workspace with ..', '../..'],
    ['through a symlink out of it', '../out-link/stacks'],
  ])('refuse a stackConfigDir %s', (_, stackConfigDir) => {
    expect(check(python({}, stackConfigDir))).toThrow(
      `${path.join(workDir, 'Pulumi.yaml')} sets stackConfigDir to '${stackConfigDir}', which leads outside the workspace ${root}: keep the stacks' settings files in a folder inside the repository.`,
    );
  });

  it('refuse a stack settings file linked out of the workspace, or to nothing, in the stack folder', () => {
    withLink('Pulumi.prod.yaml', path.join(beside, 'Pulumi.prod.yaml'), () => {
      // Dangling: the first write would create the file where it points.
      expect(check(python())).toThrow(
        `${path.join(workDir, 'Pulumi.prod.yaml')} is a symlink to ${path.join(beside, 'Pulumi.prod.yaml')}, which leads outside the workspace ${root}: commit the stack's settings file itself in the repository, not a link to one.`,
      );
      fs.writeFileSync(path.join(beside, 'Pulumi.prod.yaml'), 'config: {}\n');
      expect(check(python())).toThrow(/Pulumi\.prod\.yaml is a symlink to .*, which leads outside the workspace/);
    });
    fs.mkdirSync(path.join(workDir, 'stacks'));
    fs.symlinkSync('/etc/hostname', path.join(workDir, 'stacks', 'Pulumi.dev.yml'));
    expect(check(python({}, 'stacks'))).toThrow(/stacks\/Pulumi\.dev\.yml is a symlink to \/etc\/hostname, which leads outside the workspace/);
    // Only the stacks' settings files: other links are not the CLI's to write through.
    expect(check(python())).not.toThrow();
  });

  it.each([
    ['an absolute path', () => path.join(beside, 'venv')],
    ['a path out with ..', () => '../../venv'],
    ['a path through a symlink out', () => '../out-link/venv'],
  ])('refuse a virtualenv at %s', (_, virtualenv) => {
    const value = virtualenv();
    expect(check(python({ virtualenv: value }))).toThrow(
      `${path.join(workDir, 'Pulumi.yaml')} sets runtime.options.virtualenv to '${value}', which leads outside the workspace ${root}: name a folder inside the repository, such as venv.`,
    );
  });

  it('refuse the default virtual environment folder linked out of the workspace', () => {
    withLink('venv', beside, () => {
      expect(check(python())).toThrow(
        `${path.join(workDir, 'venv')}, the virtual environment's folder while ${path.join(workDir, 'Pulumi.yaml')} sets no runtime.options.virtualenv, leads outside the workspace ${root}: remove that link, or set runtime.options.virtualenv to a folder inside the repository.`,
      );
      expect(check(python({ virtualenv: '.venv' }))).not.toThrow();
    });
  });

  it('hold for every command that reads the project, in the inputs phase', () => {
    fs.writeFileSync(path.join(workDir, 'Pulumi.yaml'), 'name: shop\nruntime: python\nstackConfigDir: ../..\n');
    const inputs = (command: string) => (name: string) => (({ command, stack: 'dev', 'work-dir': 'infra' }) as Record<string, string>)[name] ?? '';
    for (const command of ['preview', 'up', 'destroy', 'output', 'cleanup']) {
      expect(() => parseInputs(inputs(command), { GITHUB_WORKSPACE: root })).toThrow(InputError);
    }
    // install reads the project too, and takes no stack.
    const install: Record<string, string> = { command: 'install', 'work-dir': 'infra' };
    expect(() => parseInputs((name) => install[name] ?? '', { GITHUB_WORKSPACE: root })).toThrow(/sets stackConfigDir to '\.\.\/\.\.'/);
    const withStack: Record<string, string> = { ...install, stack: 'dev' };
    expect(() => parseInputs((name) => withStack[name] ?? '', { GITHUB_WORKSPACE: root })).toThrow("Input 'stack' does not apply to command 'install'");
    // detect only reads project names.
    const detect: Record<string, string> = { command: 'detect' };
    expect(() => parseInputs((name) => detect[name] ?? '', { GITHUB_WORKSPACE: root })).not.toThrow();
    fs.writeFileSync(path.join(workDir, 'Pulumi.yaml'), 'name: shop\nruntime: python\n');
  });
});

describe('oidc-login', () => {
  it('asks for an organization, team or personal token of org, from the backend in effect or Pulumi Cloud', () => {
    expect(parse({ command: 'up', stack: 'dev', org: 'acme', 'oidc-login': 'organization' }).oidcLogin).toEqual({
      org: 'acme',
      tokenType: 'organization',
      scope: undefined,
      expirationSeconds: undefined,
      apiUrl: 'https://api.pulumi.com',
    });
    expect(parse({ command: 'up', stack: 'dev', org: 'acme', 'oidc-login': 'team:deployers', 'oidc-expiration': '30m', 'backend-url': 'https://api.pulumi.acme.com' }).oidcLogin).toEqual({
      org: 'acme',
      tokenType: 'team',
      scope: 'team:deployers',
      expirationSeconds: 1800,
      apiUrl: 'https://api.pulumi.acme.com',
    });
    expect(parse({ command: 'preview', stack: 'dev', org: 'acme', 'oidc-login': 'user:alice' }, { PULUMI_BACKEND_URL: 'https://pulumi.example' }).oidcLogin).toMatchObject({
      tokenType: 'personal',
      scope: 'user:alice',
      apiUrl: 'https://pulumi.example',
    });
    const cleanup = parseAny({ command: 'cleanup', org: 'acme', 'oidc-login': 'organization' });
    expect(cleanup).toMatchObject({ org: 'acme', oidcLogin: { org: 'acme', tokenType: 'organization' } });
    expect(parse({ command: 'up', stack: 'dev' }).oidcLogin).toBeUndefined();
  });

  it.each([
    [{ 'oidc-login': 'organization' }, "Input 'oidc-login' needs 'org': name the Pulumi organization whose OIDC trust policy admits this workflow"],
    [{ org: 'acme', 'oidc-login': 'admin' }, "Input 'oidc-login' is 'admin': use organization, team:<team name> or user:<login>"],
    [{ org: 'acme', 'oidc-login': 'team:' }, "Input 'oidc-login' is 'team:': use organization"],
    [{ org: 'acme', 'oidc-login': 'user:-rf' }, "Input 'oidc-login' is 'user:-rf': use organization"],
    [{ org: 'organization', 'oidc-login': 'organization', 'backend-url': 'file:///state' }, "Input 'oidc-login' logs in to Pulumi Cloud, but the backend is file:///state"],
    [{ org: 'acme', 'oidc-expiration': '2h' }, "Input 'oidc-expiration' is set, but 'oidc-login' is not"],
    [{ org: 'acme', 'oidc-login': 'organization', 'oidc-expiration': '2 hours' }, "Input 'oidc-expiration' is '2 hours': use a number with a unit"],
    [{ org: 'acme', 'oidc-login': 'organization', 'oidc-expiration': '0' }, "Input 'oidc-expiration' is '0'"],
  ])('refuses %j', (inputs, message) => {
    expect(() => parse({ command: 'up', stack: 'dev', ...inputs })).toThrow(InputError);
    expect(() => parse({ command: 'up', stack: 'dev', ...inputs })).toThrow(message);
  });

  it('does not apply to detect, which reaches no backend', () => {
    expect(() => parseAny({ command: 'detect', 'oidc-login': 'organization' })).toThrow("Input 'oidc-login' does not apply to command 'detect'");
  });
});

describe('parseExpectOutputs', () => {
  it('rejects an invalid pattern as bad input', () => {
    expect(() => parseExpectOutputs('{"url": "/[/"}')).toThrow(/Input 'expect-outputs' key 'url' has an invalid pattern/);
  });
});

describe('pull-request command inputs', () => {
  it('takes write by default, maintain and admin, and nothing weaker', () => {
    expect(parseRequiredRole('')).toBe('write');
    expect(parseRequiredRole(' maintain ')).toBe('maintain');
    expect(parseRequiredRole('admin')).toBe('admin');
    expect(() => parseRequiredRole('triage')).toThrow(new InputError("Input 'pr-command-permission' is 'triage': use one of write, maintain, admin."));
  });

  it('takes approved by default, adds mergeable, and none drops them', () => {
    expect(parseRequirements('')).toEqual(['approved']);
    expect(parseRequirements('approved, mergeable')).toEqual(['approved', 'mergeable']);
    expect(parseRequirements('mergeable\nmergeable')).toEqual(['mergeable']);
    expect(parseRequirements('none')).toEqual([]);
    expect(() => parseRequirements('approved, none')).toThrow(/'pr-command-requirements' has 'none'/);
    expect(() => parseRequirements('reviewed')).toThrow(InputError);
  });
});
