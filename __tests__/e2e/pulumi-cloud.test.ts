// The bundled action against Pulumi Cloud as most users have it: the stand-in (proven by the real
// CLI in pulumi-cloud-stand-in.test.ts), reached over HTTPS with an access token. Every step is
// searched for its secrets, the token among them; closing the stand-in fails the file on any
// request it did not accept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { git as gitIn } from '../support/git.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cancelAsRunner, startAction } from '../../scripts/runner.mjs';
import { errorsOf, filesIn, makeWorkspace, prepareStep, runStep, type StepOptions, type StepResult, type Workspace } from '../support/e2e.js';
import { startGitHubApi } from '../support/github-api.js';
import { startIdTokenService, type IdTokenService } from '../support/github-id-token.js';
import { cloudCliEnv, pulumi, startPulumiCloud, type PulumiCloud, type PulumiCloudUser } from '../support/pulumi-cloud.js';
import { throwawayCertificate } from '../support/tls.js';
import { linksIn } from '../support/gfm.js';
import { prCommentPayload } from '../support/webhook-examples.js';

/** In acme, which the service names as her default organization. */
const ALICE: PulumiCloudUser = { token: 'pul-alice-e2e-0123456789abcdef', login: 'alice', organizations: ['acme'], defaultOrg: 'acme' };
/** In no organization: his stacks are his own. */
const BOB: PulumiCloudUser = { token: 'pul-bob-e2e-0123456789abcdef', login: 'bob', organizations: [] };
/** In acme and beta; the service's default is acme. */
const CAROL: PulumiCloudUser = { token: 'pul-carol-e2e-0123456789abcdef', login: 'carol', organizations: ['acme', 'beta'], defaultOrg: 'acme' };

let cloud: PulumiCloud;
let idTokens: IdTokenService;
let ws: Workspace;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-e2e-'));
  const tls = throwawayCertificate(dir);
  // GitHub's ID tokens for a run of octo-org/infra (the runner emulation's repository) on main.
  idTokens = await startIdTokenService({
    tls,
    run: { repository: 'octo-org/infra', ref: 'refs/heads/main', sha: 'a'.repeat(40), actor: 'octocat', workflow: 'deploy', event_name: 'push', run_id: '4242' },
  });
  // acme trusts this repository's workflows with its organization token, and the team deployers'
  // token only in the production environment.
  const oidcIssuers = [
    {
      org: 'acme',
      url: idTokens.url,
      policies: [
        { tokenType: 'organization' as const, rules: { sub: 'repo:octo-org/infra:*' } },
        { tokenType: 'team' as const, teamName: 'deployers', rules: { sub: 'repo:octo-org/infra:environment:production' } },
      ],
    },
  ];
  cloud = await startPulumiCloud({ users: [ALICE, BOB, CAROL], tls, oidcIssuers });
  ws = makeWorkspace('python');
  // The program's virtual environment, made once by a preview on the workspace's file:// backend.
  const setup = await runStep(ws, { inputs: { command: 'preview', stack: 'warmup', 'comment-on-pr': 'false', config: JSON.stringify({ outDir: ws.outDir }) } });
  expect(setup.code).toBe(0);
  fs.rmSync(path.join(ws.root, ws.workDir, 'Pulumi.warmup.yaml'));
}, 300_000);

afterAll(async () => {
  await idTokens?.close();
  await cloud?.close();
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A Pulumi home per person, as each runner has its own. */
const homeOf = (user: PulumiCloudUser) => path.join(dir, `home-${user.login}`);

/** One step of the action as `user`, with Pulumi Cloud as the backend and the token in the environment. */
function step(user: PulumiCloudUser, options: StepOptions): Promise<StepResult> {
  return runStep(ws, stepOptions(user, options));
}

function stepOptions(user: PulumiCloudUser, options: StepOptions): StepOptions {
  return {
    ...options,
    inputs: { 'backend-url': cloud.url, 'comment-on-pr': 'false', ...options.inputs },
    env: { ...cloud.trustEnv, PULUMI_ACCESS_TOKEN: user.token, PULUMI_HOME: homeOf(user), ...options.env },
  };
}

function cli(user: PulumiCloudUser, args: string[]): string {
  return pulumi(args, { cwd: path.join(ws.root, ws.workDir), env: cloudCliEnv(cloud, user.token, homeOf(user)) });
}

const config = (extra: Record<string, unknown> = {}) => JSON.stringify({ outDir: ws.outDir, ...extra });
/** The console's host for the stand-in, which the CLI cannot derive from 127.0.0.1 (PULUMI_CONSOLE_DOMAIN). */
const CONSOLE_DOMAIN = 'app.example.test';
/** The program's files for `stack`, each stack in a folder of its own. */
const filesOf = (stack: string) => path.join(ws.root, 'files', stack);
const stackConfig = (stack: string, extra: Record<string, unknown> = {}) => config({ outDir: filesOf(stack), ...extra });

/** A `pulumi` first on PATH that records every call's arguments and runs the real CLI. */
function recordingCli(): { PATH: string; calls: () => string } {
  const bin = fs.mkdtempSync(path.join(dir, 'recording-'));
  const log = path.join(bin, 'calls.log');
  const real = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(bin, 'pulumi'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log}"\nexec "${real}" "$@"\n`, { mode: 0o755 });
  return { PATH: [bin, process.env.PATH].join(path.delimiter), calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '') };
}

describe("the stack's name without 'org'", () => {
  it("is the CLI's: PULUMI_DEFAULT_ORGANIZATION, then `pulumi org set-default`, then the service's default, then the user", async () => {
    const named = async (user: PulumiCloudUser, stack: string, env: Record<string, string> = {}) => {
      const run = await step(user, { inputs: { command: 'preview', stack, config: config() }, env });
      expect(errorsOf(run)).toEqual([]);
      const { stack: name } = run.outputs;
      expect(run.summary).toContain(name);
      expect((await cloud.stack(name!))?.name).toBe(name);
      return name;
    };
    expect(await named(ALICE, 'names')).toBe('acme/files-py/names');
    expect(await named(BOB, 'names')).toBe('bob/files-py/names');
    expect(await named(CAROL, 'names', { PULUMI_DEFAULT_ORGANIZATION: 'beta' })).toBe('beta/files-py/names');
    cli(CAROL, ['org', 'set-default', 'beta']);
    expect(await named(CAROL, 'names-2')).toBe('beta/files-py/names-2');
  });
});

describe('a stack on Pulumi Cloud through the action', () => {
  const SECRET = 'cloud-e2e-s3cret-first';
  const CHANGED = 'cloud-e2e-s3cret-second';

  it("keeps secret config with the service's secrets manager, none of it on a command line; drift, refresh, destroy and remove", async () => {
    const recording = recordingCli();
    const up = await step(ALICE, { inputs: { command: 'up', stack: 'life', config: stackConfig('life', { message: 'hi', token: { value: SECRET, secret: true } }) }, env: { PATH: recording.PATH } });
    expect(errorsOf(up)).toEqual([]);
    expect(up.outputs).toMatchObject({ stack: 'acme/files-py/life', greeting: 'hi, life!', connection: '[secret]' });
    expect(filesIn(filesOf('life'))).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    const settings = fs.readFileSync(path.join(ws.root, ws.workDir, 'Pulumi.life.yaml'), 'utf8');
    expect(settings).toMatch(/files-py:token:\n\s+secure: \S+/);
    expect(settings).not.toMatch(/encryptionsalt/);
    expect((await cloud.requests()).some((r) => /^\/api\/stacks\/acme\/files-py\/life\/(batch-)?encrypt$/.test(r.path))).toBe(true);
    expect(cli(ALICE, ['config', 'get', 'token', '--stack', 'life']).trim()).toBe(SECRET);

    // A changed secret: the service's key is not the action's, so again the CLI, on its standard input.
    const changed = await step(ALICE, {
      inputs: { command: 'up', stack: 'life', config: stackConfig('life', { message: 'hi', token: { value: CHANGED, secret: true } }) },
      env: { PATH: recording.PATH },
    });
    expect(errorsOf(changed)).toEqual([]);
    expect(cli(ALICE, ['config', 'get', 'token', '--stack', 'life']).trim()).toBe(CHANGED);
    expect(recording.calls()).toMatch(/config set --secret/);
    expect(recording.calls()).not.toContain(SECRET);
    expect(recording.calls()).not.toContain(CHANGED);

    fs.writeFileSync(path.join(filesOf('life'), 'file-1.txt'), 'edited by hand\n');
    const drift = await step(ALICE, { inputs: { command: 'drift', stack: 'life' } });
    expect(errorsOf(drift)).toEqual([]);
    expect(drift.outputs.drifted).toBe('true');
    expect((await step(ALICE, { inputs: { command: 'refresh', stack: 'life' } })).code).toBe(0);
    expect((await step(ALICE, { inputs: { command: 'drift', stack: 'life' } })).outputs.drifted).toBe('false');

    const destroy = await step(ALICE, { inputs: { command: 'destroy', stack: 'life', remove: 'true' }, env: { PULUMI_DESTROY_APPROVED: 'true' } });
    expect(errorsOf(destroy)).toEqual([]);
    expect(filesIn(filesOf('life'))).toEqual([]);
    expect(await cloud.stack('acme/files-py/life')).toBeUndefined();
  });

  it("waits out Pulumi Cloud's 409 while another update runs, and with lock-timeout 0 fails at once naming it", async () => {
    expect((await step(ALICE, { inputs: { command: 'up', stack: 'locked', config: stackConfig('locked') } })).code).toBe(0);
    const other = await cloud.occupy('acme/files-py/locked');
    const impatient = await step(ALICE, { inputs: { command: 'up', stack: 'locked', config: stackConfig('locked', { message: 'next' }), 'lock-timeout': '0' } });
    expect(impatient.code).toBe(1);
    expect(errorsOf(impatient)).toEqual([expect.stringContaining('the stack is locked by another update: error: [409] Conflict: Another update is currently in progress.')]);

    const released = new Promise((resolve) => setTimeout(resolve, 3_000)).then(() => cloud.finish(other));
    const patient = await step(ALICE, { inputs: { command: 'up', stack: 'locked', config: stackConfig('locked', { message: 'next' }), 'lock-timeout': '1m' } });
    await released;
    expect(errorsOf(patient)).toEqual([]);
    expect(patient.stdout).toMatch(/The stack is locked by another update; waiting/);
    expect(fs.readFileSync(path.join(filesOf('locked'), 'file-0.txt'), 'utf8')).toBe('next #0\n');
  });

  it("cancels the update it had to kill past the runner's deadline, so the next run does not wait", async () => {
    expect((await step(ALICE, { inputs: { command: 'up', stack: 'killed', config: stackConfig('killed') } })).code).toBe(0);
    // Every update takes 12 s: longer than the 10 s the runner gives a cancelled step.
    const { env } = prepareStep(ws, stepOptions(ALICE, { inputs: { command: 'up', stack: 'killed', config: stackConfig('killed', { message: 'slow', delayMs: 12_000 }) } }));
    let begun: () => void = () => undefined;
    const updating = new Promise<void>((resolve) => (begun = resolve));
    const { child, done } = startAction(env, { onStdout: (chunk: string) => /^ ~ .* updating/m.test(chunk) && begun() });
    await updating;
    await cancelAsRunner(child);
    const cancelled = await done;
    expect(cancelled.stdout).toContain("Removed the stack's lock left by the killed update (pulumi cancel).");
    const killed = (await cloud.stack('acme/files-py/killed'))!;
    expect(killed.running).toBeUndefined();
    expect(killed.updates.filter((u) => u.status === 'cancelled')).toHaveLength(1);

    const next = await step(ALICE, { inputs: { command: 'up', stack: 'killed', config: stackConfig('killed', { message: 'after' }), 'lock-timeout': '1m' } });
    expect(errorsOf(next)).toEqual([]);
    expect(next.stdout).not.toMatch(/The stack is locked by another update/);
    expect(next.summary).toContain('which this run cleared');
    expect(fs.readFileSync(path.join(filesOf('killed'), 'file-0.txt'), 'utf8')).toBe('after #0\n');
  }, 120_000);

  it('tags smoke stacks and removes them, and cleanup finds the expired ones by their tags', async () => {
    const smoke = await step(ALICE, {
      inputs: { command: 'smoke', stack: 'smoke-1', 'ephemeral-stacks': 'smoke-*', config: stackConfig('smoke-1'), 'expect-outputs': '{"greeting": "hello, smoke-1!"}' },
    });
    expect(errorsOf(smoke)).toEqual([]);
    expect(JSON.parse(smoke.outputs.checks!)).toEqual({ greeting: true });
    expect((await cloud.requests()).filter((r) => r.method === 'PATCH' && r.path === '/api/stacks/acme/files-py/smoke-1/tags').length).toBeGreaterThan(0);
    expect(await cloud.stack('acme/files-py/smoke-1')).toBeUndefined();

    // Left behind by a smoke run that died: tagged as the action tags them, expired.
    cli(ALICE, ['stack', 'init', 'smoke-2']);
    for (const [name, value] of Object.entries({ ephemeral: 'true', 'ephemeral:expires': new Date(Date.now() - 60_000).toISOString() })) {
      cli(ALICE, ['stack', 'tag', 'set', name, value, '--stack', 'smoke-2']);
    }
    const cleanup = await step(ALICE, { inputs: { command: 'cleanup', 'ephemeral-stacks': 'smoke-*' } });
    expect(errorsOf(cleanup)).toEqual([]);
    expect(JSON.parse(cleanup.outputs.removed!)).toEqual(['smoke-2']);
    expect(await cloud.stack('acme/files-py/smoke-2')).toBeUndefined();
  });

  it("lists the workspace's stacks with detect, as on any backend", async () => {
    fs.writeFileSync(path.join(ws.root, ws.workDir, 'Pulumi.prod.yaml'), 'config: {}\n');
    const detect = await step(ALICE, { inputs: { command: 'detect', 'work-dir': '.' } });
    expect(errorsOf(detect)).toEqual([]);
    expect(JSON.parse(detect.outputs.matrix!).include).toContainEqual({ project: 'files-py', stack: 'prod', 'work-dir': ws.workDir });
  });

  it('answers a pull request comment command on a Pulumi Cloud stack', async () => {
    const owner = 'Codertocat';
    const repo = 'Hello-World';
    const git = (...args: string[]) => gitIn(ws.root, ...args);
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'the pull request');
    const api = await startGitHubApi({ tokens: [{ token: 'ghs_workflow', kind: 'installation' }] });
    try {
      api.setPermission(owner, repo, 'octocat', 'write');
      const payload = prCommentPayload({ body: '/pulumi preview commented', login: 'octocat' });
      api.setPullRequest(owner, repo, payload.issue.number, { headSha: git('rev-parse', 'HEAD') });
      const [command] = api.seedComments(owner, repo, payload.issue.number, 1, { login: 'octocat', body: '/pulumi preview commented' });
      payload.comment.id = command!.id;
      const run = await step(ALICE, {
        inputs: { command: 'comment', stack: 'commented', 'github-token': 'ghs_workflow', 'comment-on-pr': 'true', config: stackConfig('commented') },
        env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${owner}/${repo}`, PULUMI_CONSOLE_DOMAIN: CONSOLE_DOMAIN },
        eventName: 'issue_comment',
        event: payload,
      });
      expect(errorsOf(run)).toEqual([]);
      expect(run.outputs).toMatchObject({ 'pr-command': 'preview', stack: 'acme/files-py/commented' });
      expect(api.reactions(command!.id).map((r) => r.content)).toEqual(['eyes', 'rocket']);
      const sticky = api.comments(owner, repo, payload.issue.number).filter((c) => c.id !== command!.id);
      expect(sticky).toHaveLength(1);
      // Its heading links the preview's page in the console.
      const preview = (await cloud.stack('acme/files-py/commented'))!.updates.find((u) => u.kind === 'preview')!;
      const page = `https://${CONSOLE_DOMAIN}/acme/files-py/commented/previews/${preview.id}`;
      expect(sticky[0]!.body).toContain(`<code>pulumi preview</code> succeeded on [<code>acme/files-py/commented</code>](${page})`);
      expect(run.outputs['update-url']).toBe(page);
      expect(api.rejected).toEqual([]);
    } finally {
      await api.close();
    }
  });
});

describe('oidc-login', () => {
  /** A step with the job's ID token and no stored Pulumi token. */
  const oidcStep = (inputs: StepOptions['inputs'], env: Record<string, string> = idTokens.jobEnv) =>
    runStep(ws, {
      inputs: { 'backend-url': cloud.url, 'comment-on-pr': 'false', org: 'acme', ...inputs },
      env: { ...cloud.trustEnv, PULUMI_HOME: path.join(dir, 'home-oidc'), ...env },
    });

  /** Every file under `root`, but a virtual environment's. */
  function filesUnder(root: string): string[] {
    return fs
      .readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => !f.split(path.sep).includes('venv'))
      .map((f) => path.join(root, f))
      .filter((f) => fs.statSync(f).isFile());
  }

  it("deploys with the job's ID token: the CLI uses the token Pulumi issued, both masked, neither on a command line or in a file", async () => {
    const recording = recordingCli();
    const run = await oidcStep({ command: 'up', stack: 'oidc', 'oidc-login': 'organization', 'oidc-expiration': '30m', config: stackConfig('oidc') }, { ...idTokens.jobEnv, PATH: recording.PATH });
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs.stack).toBe('acme/files-py/oidc');
    expect(filesIn(filesOf('oidc'))).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    // The update was made with the organization's token, not a person's.
    expect((await cloud.stack('acme/files-py/oidc'))!.updates.find((u) => u.kind === 'update' && !u.dryRun)!.author).toBe('acme');

    const idToken = idTokens.issued.at(-1)!;
    expect(idToken.audience).toBe('urn:pulumi:org:acme');
    const accessToken = (await cloud.issuedTokens()).at(-1)!;
    const shown = [
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
      run.stderr,
      JSON.stringify(run.outputs),
      run.summary,
      recording.calls(),
    ];
    const files = [...filesUnder(path.join(dir, 'home-oidc')), ...filesUnder(ws.root)].map((f) => fs.readFileSync(f, 'latin1'));
    for (const secret of [idToken.token, accessToken]) {
      expect(run.stdout).toContain(`::add-mask::${secret}`);
      expect(shown.filter((text) => text.includes(secret))).toEqual([]);
      expect(files.filter((text) => text.includes(secret))).toEqual([]);
    }
  });

  it('says what to do when Pulumi refuses the exchange, when the job has no ID token, and changes nothing', async () => {
    const refused = await oidcStep({ command: 'up', stack: 'oidc-refused', 'oidc-login': 'team:deployers', config: stackConfig('oidc-refused') });
    expect(refused.code).toBe(1);
    expect(errorsOf(refused)).toEqual([
      expect.stringMatching(
        /^::error::login: Pulumi Cloud refused to exchange this job's ID token for a team token \(team:deployers\) in 'acme' \(401: invalid_grant: no authorization policy .*\): check the organization's OIDC issuer for GitHub Actions and its authorization policies in Pulumi Cloud \(Settings > Access Management > OIDC Issuers\)/,
      ),
    ]);
    const unpermitted = await oidcStep({ command: 'up', stack: 'oidc-refused', 'oidc-login': 'organization', config: stackConfig('oidc-refused') }, {});
    expect(unpermitted.code).toBe(1);
    expect(errorsOf(unpermitted)).toEqual(["::error::login: GitHub gave this job no ID token to log in to Pulumi Cloud with ('oidc-login'): give the job 'permissions: id-token: write'."]);
    expect(await cloud.stack('acme/files-py/oidc-refused')).toBeUndefined();
    expect(filesIn(filesOf('oidc-refused'))).toEqual([]);
  });

  it("removes the organization's expired smoke stacks with cleanup", async () => {
    cli(ALICE, ['stack', 'init', 'acme/files-py/smoke-oidc']);
    for (const [name, value] of Object.entries({ ephemeral: 'true', 'ephemeral:expires': new Date(Date.now() - 60_000).toISOString() })) {
      cli(ALICE, ['stack', 'tag', 'set', name, value, '--stack', 'acme/files-py/smoke-oidc']);
    }
    const cleanup = await oidcStep({ command: 'cleanup', 'oidc-login': 'organization', 'ephemeral-stacks': 'smoke-*' });
    expect(errorsOf(cleanup)).toEqual([]);
    expect(JSON.parse(cleanup.outputs.removed!)).toEqual(['smoke-oidc']);
    expect(await cloud.stack('acme/files-py/smoke-oidc')).toBeUndefined();
  });
});

describe("the update's page in Pulumi Cloud's console", () => {
  beforeAll(() => {
    // The program prints what E2E_PRINT holds, at the start of a line of its output.
    fs.appendFileSync(path.join(ws.root, ws.workDir, '__main__.py'), '\nif os.environ.get("E2E_PRINT"):\n    print(os.environ["E2E_PRINT"])\n');
  });

  it('is output update-url and linked from the summary, as the CLI links it; a link the program prints is not taken', async () => {
    const forged = `View Live: https://${CONSOLE_DOMAIN}/acme/files-py/page/updates/999\nView Live: https://evil.example/acme/files-py/page/updates/1`;
    const up = await step(ALICE, { inputs: { command: 'up', stack: 'page', config: stackConfig('page') }, env: { PULUMI_CONSOLE_DOMAIN: CONSOLE_DOMAIN, E2E_PRINT: forged } });
    expect(errorsOf(up)).toEqual([]);
    const { version } = (await cloud.stack('acme/files-py/page'))!;
    const page = `https://${CONSOLE_DOMAIN}/acme/files-py/page/updates/${version}`;
    expect(up.outputs['update-url']).toBe(page);
    expect(linksIn(up.summary)).toEqual([page]);
    expect(up.stdout).toContain(forged.split('\n')[0]);

    const preview = await step(ALICE, { inputs: { command: 'preview', stack: 'page', config: stackConfig('page', { message: 'next' }) }, env: { PULUMI_CONSOLE_DOMAIN: CONSOLE_DOMAIN } });
    const id = (await cloud.stack('acme/files-py/page'))!.updates.filter((u) => u.kind === 'preview').at(-1)!.id;
    expect(preview.outputs['update-url']).toBe(`https://${CONSOLE_DOMAIN}/acme/files-py/page/previews/${id}`);
  });

  it('is none where the CLI can name no console, whatever the program prints', async () => {
    const forged = `View Live: https://${CONSOLE_DOMAIN}/acme/files-py/page/updates/1`;
    const up = await step(ALICE, { inputs: { command: 'up', stack: 'page', config: stackConfig('page', { message: 'again' }) }, env: { E2E_PRINT: forged } });
    expect(errorsOf(up)).toEqual([]);
    expect(up.outputs['update-url']).toBeUndefined();
    expect(linksIn(up.summary)).toEqual([]);
  });
});

describe('ESC environments', () => {
  const ESC_SECRET = 'esc-s3cret-from-the-environment';

  it("previews and deploys a stack that imports an environment, with its values; the environment's secret in no log, comment, summary or output", async () => {
    const definition = path.join(dir, 'shared.yaml');
    fs.writeFileSync(definition, `values:\n  pulumiConfig:\n    message: hello from esc\n    token:\n      fn::secret: ${ESC_SECRET}\n`);
    cli(ALICE, ['env', 'init', 'acme/files-py/shared', '--file', definition]);
    fs.writeFileSync(path.join(ws.root, ws.workDir, 'Pulumi.esc.yaml'), 'environment:\n  - files-py/shared\n');
    const api = await startGitHubApi({ tokens: [{ token: 'ghs_workflow', kind: 'installation' }] });
    try {
      const onPullRequest = (command: string) =>
        step(ALICE, {
          inputs: { command, stack: 'esc', config: stackConfig('esc'), 'comment-on-pr': 'true', 'pr-number': '7', 'github-token': 'ghs_workflow' },
          env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'octo-org/infra' },
        });
      const preview = await onPullRequest('preview');
      expect(errorsOf(preview)).toEqual([]);
      expect(JSON.parse(preview.outputs.changes!)).toMatchObject({ create: 5 });
      const up = await onPullRequest('up');
      expect(errorsOf(up)).toEqual([]);
      expect(up.outputs).toMatchObject({ greeting: 'hello from esc, esc!', connection: '[secret]' });
      expect(fs.readFileSync(path.join(filesOf('esc'), 'file-0.txt'), 'utf8')).toBe('hello from esc #0\n');
      // The program had the secret: it is in the stack's secret output.
      expect(JSON.parse(cli(ALICE, ['stack', 'output', '--json', '--show-secrets', '--stack', 'esc'])).connection).toBe(`token=${ESC_SECRET}`);
      expect((await cloud.requests()).filter((r) => r.path === '/api/esc/environments/acme/yaml/open').length).toBeGreaterThanOrEqual(2);

      const comments = api.comments('octo-org', 'infra', 7).map((c) => c.body);
      expect(comments).toHaveLength(2);
      for (const run of [preview, up]) {
        const shown = [run.stdout, run.stderr, JSON.stringify(run.outputs), run.summary];
        expect(shown.filter((text) => text.includes(ESC_SECRET))).toEqual([]);
      }
      expect(comments.filter((body) => body.includes(ESC_SECRET))).toEqual([]);
      expect(api.rejected).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
