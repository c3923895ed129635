// The pipeline commands through the bundled action and the real CLI: smoke stacks, cleanup, the
// environment-approval gate, reviewed plans, drift and detect (with the local GitHub API server).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startGitHubApi, type GitHubApiServer, type TokenSpec } from '../support/github-api.js';
import { errorsOf, filesIn, makeWorkspace, pulumiCli, runStep, snapshotState, type StepOptions, type Workspace } from '../support/e2e.js';

const TOKEN: TokenSpec = { token: 'ghs_workflow', kind: 'installation' };
const OWNER = 'octo-org';
const REPO = 'infra';

let ws: Workspace;
let api: GitHubApiServer | undefined;

beforeAll(async () => {
  ws = makeWorkspace('python');
  const setup = await runStep(ws, { inputs: { command: 'preview', stack: 'warmup', config: JSON.stringify({ outDir: ws.outDir }) } });
  expect(setup.code).toBe(0);
}, 300_000);

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

afterEach(async () => {
  if (api) {
    expect(api.rejected).toEqual([]);
    await api.close();
    api = undefined;
  }
});

/** The stacks the file backend holds for the example project. */
function stacksInBackend(): string[] {
  const dir = path.join(ws.stateDir, '.pulumi', 'stacks', 'files-py');
  return filesIn(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
}

function config(outDir: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ outDir, message: 'smoke', ...extra });
}

describe('smoke', () => {
  const smoke = (stack: string, extra: StepOptions['inputs'] = {}) =>
    runStep(ws, { inputs: { command: 'smoke', stack, 'ephemeral-stacks': 'smoke-*', config: config(path.join(ws.root, stack)), ...extra } });

  it('creates, checks, destroys and removes the stack', async () => {
    const run = await smoke('smoke-1', { 'expect-outputs': '{"greeting": "smoke, smoke-1!", "dir": "/smoke-1$/"}' });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.checks!)).toEqual({ greeting: true, dir: true });
    expect(run.outputs.greeting).toBe('smoke, smoke-1!');
    expect(filesIn(path.join(ws.root, 'smoke-1'))).toEqual([]);
    expect(stacksInBackend()).not.toContain('smoke-1');
    for (const step of ['up', 'check-outputs', 'destroy-and-remove']) expect(run.summary).toContain(`<code>${step}</code>`);
  });

  it('still destroys and removes the stack when the check fails', async () => {
    const run = await smoke('smoke-2', { 'expect-outputs': '{"greeting": "/^bonjour/"}' });
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(/the stack outputs greeting are not what 'expect-outputs' asks for/);
    expect(JSON.parse(run.outputs.checks!)).toEqual({ greeting: false });
    expect(filesIn(path.join(ws.root, 'smoke-2'))).toEqual([]);
    expect(stacksInBackend()).not.toContain('smoke-2');
  });

  it('still destroys and removes the stack when up fails', async () => {
    const run = await smoke('smoke-3', { config: config(path.join(ws.root, 'smoke-3'), { fileCount: -1 }) });
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(/fileCount must be >= 0/);
    // For a later step (an issue on failure, a chat message): the error and the end of the log.
    expect(run.outputs.error).toMatch(/fileCount must be >= 0/);
    expect(run.outputs['log-tail']).toMatch(/ValueError: fileCount must be >= 0/);
    expect(stacksInBackend()).not.toContain('smoke-3');
  });

  it('refuses a stack name that is not ephemeral', async () => {
    const run = await smoke('prod');
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(/^::error::inputs: Input 'stack' is 'prod', which does not match 'ephemeral-stacks'/);
  });
});

describe('cleanup', () => {
  it('removes expired stacks and those of the closed pull request, nothing else', async () => {
    const stacks = { 'smoke-old': '2020-01-01T00:00:00Z', 'smoke-pr7': '2999-01-01T00:00:00Z', 'smoke-new': '2999-01-01T00:00:00Z' };
    for (const name of Object.keys(stacks)) {
      const up = await runStep(ws, { inputs: { command: 'up', stack: name, config: config(path.join(ws.root, name)) } });
      expect(up.code).toBe(0);
    }
    for (const [name, expires] of Object.entries(stacks)) {
      pulumiCli(ws, ['stack', 'tag', 'set', 'ephemeral', 'true', '--stack', name]);
      pulumiCli(ws, ['stack', 'tag', 'set', 'ephemeral:expires', expires, '--stack', name]);
      pulumiCli(ws, ['stack', 'tag', 'set', 'ephemeral:pull-request', name === 'smoke-pr7' ? '7' : '8', '--stack', name]);
    }
    const run = await runStep(ws, {
      inputs: { command: 'cleanup', 'ephemeral-stacks': 'smoke-*' },
      eventName: 'pull_request',
      event: { action: 'closed', number: 7, pull_request: { number: 7 } },
    });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.removed!).sort()).toEqual(['smoke-old', 'smoke-pr7']);
    expect(stacksInBackend()).toEqual(expect.arrayContaining(['smoke-new']));
    expect(stacksInBackend()).not.toEqual(expect.arrayContaining(['smoke-old']));
    expect(filesIn(path.join(ws.root, 'smoke-old'))).toEqual([]);
    expect(filesIn(path.join(ws.root, 'smoke-new'))).toHaveLength(4);
    expect(run.summary).toContain('pull request #7 is closed');
  }, 240_000);

  it('leaves the stacks of a pull request that is still open alone', async () => {
    const run = await runStep(ws, {
      inputs: { command: 'cleanup', 'ephemeral-stacks': 'smoke-*' },
      eventName: 'pull_request',
      event: { action: 'synchronize', number: 8, pull_request: { number: 8 } },
    });
    expect(errorsOf(run)).toEqual([]);
    expect(JSON.parse(run.outputs.removed!)).toEqual([]);
    expect(stacksInBackend()).toEqual(expect.arrayContaining(['smoke-new']));
  }, 240_000);
});

describe('require-approval', () => {
  const RUN_ID = 9001;
  // A re-run by `rerunner` of a run `author` started.
  const deploy = (stack: string) =>
    runStep(ws, {
      inputs: { command: 'up', stack, 'require-approval': 'production', 'github-token': TOKEN.token, config: config(path.join(ws.root, stack)) },
      env: { GITHUB_API_URL: api!.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(RUN_ID), GITHUB_ACTOR: 'author', GITHUB_TRIGGERING_ACTOR: 'rerunner' },
    });

  it.each([
    ['missing', [], /no approval for the environment 'production'/],
    ['rejected', [{ login: 'boss', environments: ['production'], state: 'rejected' as const }], /boss rejected this run/],
    ['self-approved', [{ login: 'author', environments: ['production'] }], /approved for 'production' only by author/],
    ['approved by whoever re-ran it', [{ login: 'rerunner', environments: ['production'] }], /approved for 'production' only by rerunner/],
    ['for another environment', [{ login: 'boss', environments: ['staging'] }], /no approval for the environment 'production'/],
  ])('refuses an up whose approval is %s, touching nothing', async (_case, approvals, expected) => {
    api = await startGitHubApi({ tokens: [TOKEN] });
    api.seedApprovals(OWNER, REPO, RUN_ID, approvals);
    const before = snapshotState(ws);
    const run = await deploy('gated');
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(expected);
    expect(snapshotState(ws)).toEqual(before);
  });

  it('runs an up approved by someone else', async () => {
    api = await startGitHubApi({ tokens: [TOKEN] });
    api.seedApprovals(OWNER, REPO, RUN_ID, [{ login: 'reviewer', environments: ['production'] }]);
    const run = await deploy('gated');
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(filesIn(path.join(ws.root, 'gated'))).toHaveLength(4);
  });
});

describe('deletes-need-approval', () => {
  const up = (stack: string, fileCount: number, extra: Partial<StepOptions> = {}) =>
    runStep(ws, {
      ...extra,
      inputs: { command: 'up', stack, 'deletes-need-approval': 'true', config: config(path.join(ws.root, stack), { fileCount }), ...extra.inputs },
    });

  it('lets an update that only adds through, and holds one that deletes to the destroy approval', async () => {
    const first = await up('guarded', 3);
    expect(errorsOf(first)).toEqual([]);
    // The gate's preview is not the change: the report counts the update's creates once.
    expect(JSON.parse(first.outputs.changes!)).toMatchObject({ create: 5, delete: 0 });

    const before = snapshotState(ws);
    const refused = await up('guarded', 1);
    expect(refused.code).toBe(1);
    expect(errorsOf(refused)).toHaveLength(1);
    expect(errorsOf(refused)[0]).toMatch(/would delete or replace resources, and 'deletes-need-approval' is set/);
    // In the engine's order, which for parallel deletes varies.
    expect(errorsOf(refused)[0]).toMatch(/It would delete 2 resource\(s\): pulumi-python:dynamic\/files:File file-[12], pulumi-python:dynamic\/files:File file-[12]\./);
    expect(refused.outputs['has-deletes']).toBe('true');
    expect(JSON.parse(refused.outputs['deleted-urns']!).sort()).toEqual([1, 2].map((i) => `urn:pulumi:guarded::files-py::pulumi-python:dynamic/files:File::file-${i}`));
    expect(JSON.parse(refused.outputs['replaced-urns']!)).toEqual([]);
    expect(JSON.parse(refused.outputs['policy-violations']!)).toEqual({ mandatory: 0, advisory: 0 });
    expect(refused.outputs.error).toMatch(/'deletes-need-approval' is set/);
    expect(snapshotState(ws)).toEqual(before);
    expect(filesIn(path.join(ws.root, 'guarded'))).toContain('file-2.txt');

    const approved = await up('guarded', 1, { env: { PULUMI_DESTROY_APPROVED: 'true' } });
    expect(errorsOf(approved)).toEqual([]);
    expect(JSON.parse(approved.outputs.changes!)).toMatchObject({ delete: 2 });
  }, 300_000);

  it('lists replacements too, and leaves ephemeral stacks alone', async () => {
    expect((await up('guarded-2', 1)).code).toBe(0);
    const moved = await up('guarded-2', 1, { inputs: { config: config(path.join(ws.root, 'guarded-2-moved'), { fileCount: 1 }) } });
    expect(moved.code).toBe(1);
    expect(errorsOf(moved)[0]).toMatch(/It would replace \d+ resource\(s\): .*file-0/);
    expect(JSON.parse(moved.outputs['replaced-urns']!)).toContain('urn:pulumi:guarded-2::files-py::pulumi-python:dynamic/files:File::file-0');
    // Why, from the engine's own events: the property that forces each replacement.
    expect(moved.summary).toContain('🔁 Replace <code>file-0</code> · <code>pulumi-python:dynamic/files:File</code> · replaced because <code>path</code> changed');
    const ephemeral = await up('guarded-2', 0, { inputs: { 'ephemeral-stacks': 'guarded-*' } });
    expect(errorsOf(ephemeral)).toEqual([]);
  }, 300_000);
});

/**
 * The stack's resources as its checkpoint holds them, by URN, each one's dependencies sorted (the
 * engine records them in the order they resolved); but for the stack's own, whose secret output's
 * ciphertext changes with every write.
 */
function resourcesOf(stack: string): unknown[] {
  type Resource = { type: string; urn: string; dependencies?: string[]; propertyDependencies?: Record<string, string[]> };
  const checkpoint = JSON.parse(fs.readFileSync(path.join(ws.stateDir, '.pulumi', 'stacks', 'files-py', `${stack}.json`), 'utf8'));
  return (checkpoint.checkpoint.latest.resources as Resource[])
    .filter((r) => r.type !== 'pulumi:pulumi:Stack')
    .map((r) => ({
      ...r,
      dependencies: [...(r.dependencies ?? [])].sort(),
      propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([key, urns]) => [key, [...urns].sort()])),
    }))
    .sort((a, b) => a.urn.localeCompare(b.urn));
}

describe('deletes-need-approval, with a program that is not what its preview shows', () => {
  const programFile = (name: string) => path.join(ws.root, ws.workDir, name);
  let original: string;
  // The program declares one more file, `keeper`, as the file `keeper-mode` beside it says: always,
  // only while previewing (pulumi.runtime.is_dry_run()), or on every other run, which it counts in a
  // file of its own. The config stays the same, so nothing else changes.
  beforeAll(() => {
    original = fs.readFileSync(programFile('__main__.py'), 'utf8');
    fs.writeFileSync(
      programFile('__main__.py'),
      `${original}
mode_file = os.path.join(program_dir, "keeper-mode")
keeper = open(mode_file).read().strip() if os.path.exists(mode_file) else "never"
declare_keeper = keeper == "always" or (keeper == "previews" and pulumi.runtime.is_dry_run())
if keeper == "alternate":
    os.makedirs(out_dir, exist_ok=True)
    toggle = os.path.join(out_dir, "toggle")
    declare_keeper = os.path.exists(toggle)
    if declare_keeper:
        os.remove(toggle)
    else:
        open(toggle, "w").close()
if declare_keeper:
    File("keeper", path=os.path.join(out_dir, "keeper.txt"), content="kept\\n")
`,
    );
  });
  afterAll(() => {
    fs.writeFileSync(programFile('__main__.py'), original);
    fs.rmSync(programFile('keeper-mode'), { force: true });
  });

  const up = (stack: string, keeper: string, inputs: StepOptions['inputs'] = {}) => {
    fs.writeFileSync(programFile('keeper-mode'), keeper);
    return runStep(ws, { inputs: { command: 'up', stack, 'deletes-need-approval': 'true', config: config(path.join(ws.root, stack)), ...inputs } });
  };

  it('does not let an update delete what only its preview declares', async () => {
    expect((await up('dry-run', 'always')).code).toBe(0);
    const keeper = path.join(ws.root, 'dry-run', 'keeper.txt');
    expect(fs.existsSync(keeper)).toBe(true);
    const before = resourcesOf('dry-run');

    const run = await up('dry-run', 'previews');
    expect(fs.existsSync(keeper)).toBe(true);
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toHaveLength(1);
    expect(errorsOf(run)[0]).toMatch(/^::error::operation: the update went beyond what its 'deletes-need-approval' preview showed/);
    expect(errorsOf(run)[0]).toContain('delete is not allowed by the plan');
    expect(resourcesOf('dry-run')).toEqual(before);
  }, 300_000);

  it('judges the reviewed plan it applies, not a fresh preview that may differ', async () => {
    expect((await up('alternating', 'always')).code).toBe(0);
    const keeper = path.join(ws.root, 'alternating', 'keeper.txt');
    // Reviewed: a plan that deletes `keeper` (the program leaves it out on this run).
    fs.writeFileSync(programFile('keeper-mode'), 'alternate');
    const plan = { plan: 'plan-alternating.json' };
    const preview = await runStep(ws, { inputs: { command: 'preview', stack: 'alternating', config: config(path.join(ws.root, 'alternating')), ...plan } });
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.outputs['deleted-urns']!)).toEqual(['urn:pulumi:alternating::files-py::pulumi-python:dynamic/files:File::keeper']);
    const before = snapshotState(ws);

    // A second preview would declare `keeper` and see no delete; the update would then leave it out again.
    const run = await up('alternating', 'alternate', plan);
    expect(fs.existsSync(keeper)).toBe(true);
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toHaveLength(1);
    expect(errorsOf(run)[0]).toMatch(/^::error::operation: The plan \S+plan-alternating\.json of stack 'alternating' would delete or replace resources, and 'deletes-need-approval' is set/);
    expect(errorsOf(run)[0]).toContain('It would delete 1 resource(s): pulumi-python:dynamic/files:File keeper.');
    expect(run.stdout).not.toContain('::group::pulumi preview');
    expect(snapshotState(ws)).toEqual(before);
  }, 300_000);
});

describe('reviewed plan', () => {
  const planFile = () => path.join(ws.root, 'plan.json');
  const step = (command: string, message: string) => runStep(ws, { inputs: { command, stack: 'planned', plan: 'plan.json', config: config(path.join(ws.root, 'planned'), { message }) } });

  it('applies the plan a preview saved, and says its digest', async () => {
    const preview = await step('preview', 'reviewed');
    expect(preview.code).toBe(0);
    expect(preview.outputs['plan-digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(preview.summary).toContain(preview.outputs['plan-digest']);
    const up = await step('up', 'reviewed');
    expect(errorsOf(up)).toEqual([]);
    expect(up.code).toBe(0);
    expect(up.outputs['plan-digest']).toBe(preview.outputs['plan-digest']);
    expect(fs.readFileSync(path.join(ws.root, 'planned', 'file-0.txt'), 'utf8')).toBe('reviewed #0\n');
  });

  it('refuses a plan once the stack has moved on', async () => {
    expect((await step('preview', 'second review')).code).toBe(0);
    const saved = fs.readFileSync(planFile());
    // Someone else deploys in between.
    expect((await runStep(ws, { inputs: { command: 'up', stack: 'planned', config: config(path.join(ws.root, 'planned'), { message: 'hotfix' }) } })).code).toBe(0);
    fs.writeFileSync(planFile(), saved);
    const up = await step('up', 'second review');
    expect(up.code).toBe(1);
    expect(errorsOf(up)[0]).toMatch(/the stack changed since the plan was saved, so it was not applied/);
    expect(fs.readFileSync(path.join(ws.root, 'planned', 'file-0.txt'), 'utf8')).toBe('hotfix #0\n');
  });

  it('refuses a plan whose program config changed since', async () => {
    expect((await step('preview', 'third review')).code).toBe(0);
    const up = await step('up', 'something else');
    expect(up.code).toBe(1);
    expect(errorsOf(up)[0]).toMatch(/the program or its config changed since the plan was saved, so it was not applied/);
  });
});

describe('drift', () => {
  const outDir = () => path.join(ws.root, 'drifty');
  const drift = (extra: StepOptions['inputs'] = {}) => runStep(ws, { inputs: { command: 'drift', stack: 'drifty', ...extra } });

  it('finds nothing on a stack nobody touched, then the file edited by hand', async () => {
    expect((await runStep(ws, { inputs: { command: 'up', stack: 'drifty', config: config(outDir()) } })).code).toBe(0);
    const clean = await drift();
    expect(clean.code).toBe(0);
    expect(clean.outputs.drifted).toBe('false');

    fs.writeFileSync(path.join(outDir(), 'file-1.txt'), 'edited by hand\n');
    const drifted = await drift();
    expect(errorsOf(drifted)).toEqual([]);
    expect(drifted.code).toBe(0);
    expect(drifted.outputs.drifted).toBe('true');
    expect(drifted.summary).toContain('found drift');
    expect(drifted.summary).toContain('file-1');

    const failing = await drift({ 'fail-on-drift': 'true' });
    expect(failing.code).toBe(1);
    expect(errorsOf(failing)[0]).toMatch(/changed outside Pulumi/);
    // A drift check reports; it never repairs.
    expect(fs.readFileSync(path.join(outDir(), 'file-1.txt'), 'utf8')).toBe('edited by hand\n');
  });
});

describe('detect', () => {
  function monorepo(): string {
    const root = fs.mkdtempSync(path.join(ws.root, 'mono-'));
    for (const name of ['api', 'web', 'jobs']) {
      const dir = path.join(root, 'infra', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'Pulumi.yaml'), `name: ${name}\nruntime: python\n`);
      fs.writeFileSync(path.join(dir, 'Pulumi.dev.yaml'), 'config: {}\n');
      fs.writeFileSync(path.join(dir, 'Pulumi.prod.yaml'), 'config: {}\n');
      fs.writeFileSync(path.join(dir, '__main__.py'), '');
    }
    return root;
  }

  it('lists the stacks the pull request changed, as a matrix', async () => {
    api = await startGitHubApi({ tokens: [TOKEN] });
    api.seedPullFiles(OWNER, REPO, 12, ['README.md', 'infra/web/__main__.py', 'infra/jobs/Pulumi.prod.yaml']);
    const root = monorepo();
    const run = await runStep(
      { ...ws, root },
      {
        inputs: { command: 'detect', 'work-dir': 'infra', 'github-token': TOKEN.token },
        env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
        eventName: 'pull_request',
        event: { number: 12, pull_request: { number: 12 } },
      },
    );
    expect(errorsOf(run)).toEqual([]);
    expect(JSON.parse(run.outputs.matrix!)).toEqual({
      include: [
        { project: 'jobs', stack: 'prod', 'work-dir': 'infra/jobs' },
        { project: 'web', stack: 'dev', 'work-dir': 'infra/web' },
        { project: 'web', stack: 'prod', 'work-dir': 'infra/web' },
      ],
    });
  });

  it('lists every stack on other events', async () => {
    const root = monorepo();
    const run = await runStep({ ...ws, root }, { inputs: { command: 'detect', 'work-dir': 'infra' } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.matrix!).include).toHaveLength(6);
  });

  it('leaves out, with one warning, stacks whose file or folder name a run: step would take for shell code', async () => {
    const root = monorepo();
    for (const stack of ['$(touch pwned)', '-rf', 'dev`id`']) fs.writeFileSync(path.join(root, 'infra', 'api', `Pulumi.${stack}.yaml`), 'config: {}\n');
    const hostile = path.join(root, 'infra', 'a$(id)');
    fs.mkdirSync(hostile);
    fs.writeFileSync(path.join(hostile, 'Pulumi.yaml'), 'name: hostile\nruntime: python\n');
    fs.writeFileSync(path.join(hostile, 'Pulumi.dev.yaml'), 'config: {}\n');
    const run = await runStep({ ...ws, root }, { inputs: { command: 'detect', 'work-dir': 'infra' } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.matrix!)).toEqual({
      include: ['api', 'jobs', 'web'].flatMap((project) => ['dev', 'prod'].map((stack) => ({ project, stack, 'work-dir': `infra/${project}` }))),
    });
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^::warning::Skipped 4 stacks that a workflow step could not safely use from 'matrix'/);
    expect(warnings[0]).toContain('stack "$(touch pwned)" in "infra/api"');
    expect(run.summary).toContain('6 of 6 stacks found');
    expect(run.summary).not.toContain('$(');
  });
});
