// The Pulumi Cloud stand-in (__tests__/support/pulumi-cloud/) proven faithful by the real CLI, driven
// by its own commands as a person would: logging in, organizations, stacks and tags, the service
// secrets manager, updates of every kind, state export and import, Pulumi Cloud's 409 for a second
// update while one runs, and `pulumi cancel` of a killed update. The stand-in decodes every request
// into Pulumi's own API types and records anything it does not accept; closing it fails the test
// on any such problem.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { filesIn, preparedWorkspace, type Workspace } from '../support/e2e.js';
import { startIdTokenService, type IdTokenService } from '../support/github-id-token.js';
import { cloudCliEnv, pulumi, pulumiAsync, startPulumiCloud, type PulumiCloud, type StandInStack } from '../support/pulumi-cloud.js';
import { throwawayCertificate } from '../support/tls.js';

const ALICE = { token: 'pul-alice-0123456789abcdef', login: 'alice', organizations: ['acme'], defaultOrg: 'acme' };
const BOB = { token: 'pul-bob-0123456789abcdef', login: 'bob', organizations: [] };
const SECRET = 'stand-in-s3cret-value';

let cloud: PulumiCloud;
let idTokens: IdTokenService;
let ws: Workspace;
let dir: string;
let home: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-proof-'));
  const tls = throwawayCertificate(dir);
  idTokens = await startIdTokenService({
    tls,
    run: { repository: 'octo-org/infra', ref: 'refs/heads/main', sha: 'a'.repeat(40), actor: 'octocat', workflow: 'deploy', event_name: 'push', run_id: '1' },
  });
  const policies = [{ tokenType: 'organization' as const, rules: { repository: 'octo-org/infra' } }];
  cloud = await startPulumiCloud({ users: [ALICE, BOB], tls, oidcIssuers: [{ org: 'acme', url: idTokens.url, policies }] });
  home = path.join(dir, 'pulumi-home');
  ws = await preparedWorkspace();
  // The preparing run's stack file, with its passphrase salt, belongs to its file:// backend.
  fs.rmSync(path.join(ws.root, ws.workDir, 'Pulumi.dev.yaml'));
}, 300_000);

afterAll(async () => {
  await idTokens?.close();
  await cloud?.close();
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const program = () => path.join(ws.root, ws.workDir);
const as = (user: { token: string }) => ({ cwd: program(), env: cloudCliEnv(cloud, user.token, home) });
const cli = (args: string[], user: { token: string } = ALICE) => pulumi(args, as(user));

async function stack(name: string): Promise<StandInStack> {
  const found = await cloud.stack(name);
  if (!found) throw new Error(`the stand-in has no stack ${name}`);
  return found;
}

describe('the real CLI against the Pulumi Cloud stand-in', () => {
  it('logs in with an access token, and puts stacks in the default organization, else the user', async () => {
    expect(JSON.parse(cli(['whoami', '--json']))).toMatchObject({ user: 'alice', organizations: ['acme'] });
    expect(cli(['org', 'get-default']).trim()).toBe('acme');
    expect(cli(['org', 'get-default'], BOB).trim()).toBe('No Default Org Specified');

    cli(['stack', 'init', 'dev']);
    cli(['stack', 'init', 'scratch'], BOB);
    expect((await cloud.stacks()).map((s) => s.name)).toEqual(['acme/files-py/dev', 'bob/files-py/scratch']);
    expect(JSON.parse(cli(['stack', 'ls', '--json'])).map((s: { name: string }) => s.name)).toEqual(['dev']);
    // Bob is no member of acme: the service refuses him its stacks.
    expect(() => cli(['stack', 'select', 'acme/files-py/dev'], BOB)).toThrow(/403|access/i);
    cli(['stack', 'rm', '--yes', '--stack', 'bob/files-py/scratch'], BOB);
    expect((await cloud.stacks()).map((s) => s.name)).toEqual(['acme/files-py/dev']);
  });

  it('encrypts secret config with the service secrets manager, and decrypts it for the program', async () => {
    // Read from standard input: the value stays off the command line.
    pulumi(['config', 'set', '--secret', 'token', '--stack', 'dev'], { ...as(ALICE), input: SECRET });
    cli(['config', 'set', 'outDir', ws.outDir, '--stack', 'dev']);
    const settings = fs.readFileSync(path.join(program(), 'Pulumi.dev.yaml'), 'utf8');
    expect(settings).toMatch(/files-py:token:\n\s+secure: \S+/);
    expect(settings).not.toContain(SECRET);
    // No passphrase salt and no other provider: the service holds the key.
    expect(settings).not.toMatch(/encryptionsalt|secretsprovider/);
    expect((await cloud.requests()).some((r) => /\/acme\/files-py\/dev\/(batch-)?encrypt$/.test(r.path))).toBe(true);
  });

  it('runs preview, up, refresh and destroy as updates of their kinds, with tags, history, export and import', async () => {
    cli(['preview', '--stack', 'dev']);
    expect(filesIn(ws.outDir)).toEqual([]);
    cli(['up', '--yes', '--stack', 'dev']);
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(JSON.parse(cli(['stack', 'output', '--json', '--show-secrets', '--stack', 'dev'])).connection).toBe(`token=${SECRET}`);
    cli(['refresh', '--yes', '--stack', 'dev']);
    cli(['stack', 'tag', 'set', 'owner', 'team-a', '--stack', 'dev']);
    expect(JSON.parse(cli(['stack', 'tag', 'ls', '--json', '--stack', 'dev']))).toMatchObject({ owner: 'team-a', 'pulumi:project': 'files-py' });

    const exported = path.join(dir, 'state.json');
    cli(['stack', 'export', '--stack', 'dev', '--file', exported]);
    cli(['stack', 'import', '--stack', 'dev', '--file', exported]);
    const history = JSON.parse(cli(['stack', 'history', '--json', '--stack', 'dev'])) as { version: number; kind: string; result: string }[];
    expect(history.map((u) => [u.version, u.kind, u.result])).toEqual([
      [3, 'import', 'succeeded'],
      [2, 'refresh', 'succeeded'],
      [1, 'update', 'succeeded'],
    ]);
    const dev = await stack('acme/files-py/dev');
    expect(dev).toMatchObject({ version: 3, resourceCount: 6, tags: { owner: 'team-a' } });
    // The preview ran as an update of its own kind; `up` previewed as a dry run first.
    expect(
      dev.updates
        .filter((u) => u.status === 'succeeded')
        .map((u) => `${u.kind}${u.dryRun ? ' (dry run)' : ''}`)
        .sort(),
    ).toEqual(['import', 'preview (dry run)', 'refresh', 'refresh (dry run)', 'update', 'update (dry run)']);
    // The config the CLI sent with the update carries the secret as a ciphertext.
    const sent = dev.updates.find((u) => u.kind === 'update' && !u.dryRun)!.config!['files-py:token']!;
    expect(sent.secret).toBe(true);
    expect(sent.string).not.toContain(SECRET);

    // A stack with resources is not removed unless forced; once destroyed, it is.
    expect(() => cli(['stack', 'rm', '--yes', '--stack', 'dev'])).toThrow(/still has resources/);
    cli(['destroy', '--yes', '--stack', 'dev']);
    expect(filesIn(ws.outDir)).toEqual([]);
    expect(await stack('acme/files-py/dev')).toMatchObject({ version: 4, resourceCount: 0 });
  });

  it("answers a second update with Pulumi Cloud's 409 while one runs, and pulumi cancel frees a killed one", async () => {
    cli(['config', 'set', 'delayMs', '2500', '--stack', 'dev']);
    const slow = start(['up', '--yes', '--skip-preview', '--stack', 'dev']);
    await until(async () => (await stack('acme/files-py/dev')).running !== undefined);
    expect(() => cli(['up', '--yes', '--skip-preview', '--stack', 'dev'])).toThrow('error: [409] Conflict: Another update is currently in progress.');
    // Previews take no lock.
    cli(['preview', '--stack', 'dev']);
    expect(await slow.exited).toBe(0);

    cli(['config', 'set', 'message', 'changed', '--stack', 'dev']);
    const killed = start(['up', '--yes', '--skip-preview', '--stack', 'dev']);
    await until(async () => (await stack('acme/files-py/dev')).running !== undefined);
    process.kill(-killed.pid, 'SIGKILL');
    await killed.exited;
    const running = (await stack('acme/files-py/dev')).running!;
    expect(running).toBeDefined();
    cli(['cancel', '--yes', '--stack', 'dev']);
    const dev = await stack('acme/files-py/dev');
    expect(dev.running).toBeUndefined();
    expect(dev.updates.find((u) => u.id === running)!.status).toBe('cancelled');
    cli(['config', 'set', 'delayMs', '0', '--stack', 'dev']);
    cli(['up', '--yes', '--skip-preview', '--stack', 'dev']);
    expect(filesIn(ws.outDir)).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
  }, 120_000);
});

describe('the OIDC token exchange', () => {
  it('logs the CLI in with an ID token, as `pulumi login --oidc-token` exchanges it, and refuses what no policy allows', async () => {
    const idToken = await fetchIdToken('urn:pulumi:org:acme');
    const oidcHome = path.join(dir, 'oidc-home');
    const env = { ...cloud.trustEnv, PULUMI_HOME: oidcHome };
    // Asynchronously: the stand-in fetches the issuer's keys from this process while the CLI waits.
    await pulumiAsync(['login', '--oidc-token', idToken, '--oidc-org', 'acme', cloud.url], { cwd: program(), env });
    expect(JSON.parse(pulumi(['whoami', '--json'], { cwd: program(), env }))).toMatchObject({ user: 'acme', organizations: ['acme'] });
    expect((await cloud.requests()).filter((r) => r.path === '/api/oauth/token').map((r) => r.status)).toEqual([200]);
    // A team token: the organization's policies allow none.
    await expect(pulumiAsync(['login', '--oidc-token', idToken, '--oidc-org', 'acme', '--oidc-team', 'deployers', cloud.url], { cwd: program(), env })).rejects.toThrow(/invalid_grant/);
  });
});

/** GitHub's ID token for `audience`, asked for as a job asks the runner. */
function fetchIdToken(audience: string): Promise<string> {
  const { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token } = idTokens.jobEnv;
  const ca = fs.readFileSync(cloud.trustEnv.SSL_CERT_FILE!, 'utf8');
  return new Promise((resolve, reject) => {
    https
      .get(`${url}&audience=${encodeURIComponent(audience)}`, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve((JSON.parse(body) as { value: string }).value));
      })
      .on('error', reject);
  });
}

describe('what the stand-in does not accept', () => {
  it('fails the test on a route it does not know and on a body that does not fit its type', async () => {
    const other = await startPulumiCloud({ users: [ALICE], tls: throwawayCertificate(dir) });
    // `pulumi org search` asks for a route the stand-in does not serve.
    expect(() => pulumi(['org', 'search', '--org', 'acme', '--query', 'type:x'], { cwd: program(), env: cloudCliEnv(other, ALICE.token, home) })).toThrow();
    const status = await post(other, '/api/stacks/acme/files-py', ALICE.token, { stackName: 'dev', colour: 'blue' });
    expect(status).toBe(400);
    const problems = await other.problems();
    expect(problems).toEqual([
      expect.stringMatching(/^GET \/api\/orgs\/acme\/search\/resources.*: a route the stand-in does not know$/),
      expect.stringMatching(/^POST \/api\/stacks\/acme\/files-py: the body does not fit \*apitype.CreateStackRequest: json: unknown field "colour"$/),
    ]);
    await expect(other.close()).rejects.toThrow('the Pulumi Cloud stand-in met requests it does not accept');
  });
});

function post(target: PulumiCloud, route: string, token: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const ca = fs.readFileSync(target.trustEnv.SSL_CERT_FILE!, 'utf8');
    const req = https.request(new URL(route, target.url), { method: 'POST', ca, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Starts the CLI in a process group of its own, so the test can kill it with its plugins. */
function start(args: string[]): { pid: number; exited: Promise<number | null> } {
  const child = spawn('pulumi', [...args, '--non-interactive'], { cwd: program(), env: { ...process.env, ...as(ALICE).env }, stdio: 'ignore', detached: true });
  return { pid: child.pid!, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
