// The bundled action against Pulumi Cloud as most users have it: the stand-in (proven by the real
// CLI in pulumi-cloud-stand-in.test.ts), reached over HTTPS with an access token. Every step is
// searched for its secrets, the token among them; closing the stand-in fails the file on any
// request it did not accept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorsOf, makeWorkspace, runStep, type StepOptions, type StepResult, type Workspace } from '../support/e2e.js';
import { cloudCliEnv, pulumi, startPulumiCloud, type PulumiCloud, type PulumiCloudUser } from '../support/pulumi-cloud.js';
import { throwawayCertificate } from '../support/tls.js';

/** In acme, which the service names as her default organization. */
const ALICE: PulumiCloudUser = { token: 'pul-alice-e2e-0123456789abcdef', login: 'alice', organizations: ['acme'], defaultOrg: 'acme' };
/** In no organization: his stacks are his own. */
const BOB: PulumiCloudUser = { token: 'pul-bob-e2e-0123456789abcdef', login: 'bob', organizations: [] };
/** In acme and beta; the service's default is acme. */
const CAROL: PulumiCloudUser = { token: 'pul-carol-e2e-0123456789abcdef', login: 'carol', organizations: ['acme', 'beta'], defaultOrg: 'acme' };

let cloud: PulumiCloud;
let ws: Workspace;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-e2e-'));
  cloud = await startPulumiCloud({ users: [ALICE, BOB, CAROL], tls: throwawayCertificate(dir) });
  ws = makeWorkspace('python');
  // The program's virtual environment, made once by a preview on the workspace's file:// backend.
  const setup = await runStep(ws, { inputs: { command: 'preview', stack: 'warmup', 'comment-on-pr': 'false', config: JSON.stringify({ outDir: ws.outDir }) } });
  expect(setup.code).toBe(0);
  fs.rmSync(path.join(ws.root, ws.workDir, 'Pulumi.warmup.yaml'));
}, 300_000);

afterAll(async () => {
  await cloud?.close();
  if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A Pulumi home per person, as each runner has its own. */
const homeOf = (user: PulumiCloudUser) => path.join(dir, `home-${user.login}`);

/** One step of the action as `user`, with Pulumi Cloud as the backend and the token in the environment. */
function step(user: PulumiCloudUser, options: StepOptions): Promise<StepResult> {
  return runStep(ws, {
    ...options,
    inputs: { 'backend-url': cloud.url, 'comment-on-pr': 'false', ...options.inputs },
    env: { ...cloud.trustEnv, PULUMI_ACCESS_TOKEN: user.token, PULUMI_HOME: homeOf(user), ...options.env },
  });
}

function cli(user: PulumiCloudUser, args: string[]): string {
  return pulumi(args, { cwd: path.join(ws.root, ws.workDir), env: cloudCliEnv(cloud, user.token, homeOf(user)) });
}

const config = (extra: Record<string, unknown> = {}) => JSON.stringify({ outDir: ws.outDir, ...extra });

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
