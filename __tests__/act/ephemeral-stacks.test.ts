// smoke-stack.yml and drift-and-cleanup.yml under nektos/act, against Pulumi Cloud (the stand-in): a throwaway stack per pull request,
// removed by its own run; leftovers removed when their pull request closes or their time is up; a
// scheduled drift check of each stack. Events are GitHub's example payloads; a schedule has none
// (GitHub sends no webhook for it), so its event is the `schedule` field a run's context holds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  actionSteps,
  addWorkflow,
  CLOUD_TOKEN,
  exampleWorkflow,
  jobOf,
  pullRequestEvent,
  PASSPHRASE,
  pulumiCli,
  resultOf,
  secretsIn,
  stacksOf,
  startActSuite,
  WORKFLOW_TOKEN,
  type ActRepository,
  type ActSuite,
} from '../support/act.js';

let suite: ActSuite;
let repo: ActRepository;

beforeAll(async () => {
  suite = await startActSuite();
  repo = suite.repository();
});

afterAll(() => suite.close());

/** A stack left behind by a smoke run that died: tagged as the action tags them, never deployed. */
function leftover(stack: string, tags: Record<string, string>): void {
  pulumiCli(repo, 'infra', ['stack', 'init', stack]);
  for (const [name, value] of Object.entries({ ephemeral: 'true', ...tags })) pulumiCli(repo, 'infra', ['stack', 'tag', 'set', name, value, '--stack', stack]);
}

describe('smoke-stack.yml', () => {
  it('creates, checks and removes a stack of its own on a pull request', async () => {
    const workflow = addWorkflow(repo, 'smoke-stack.yml', exampleWorkflow('smoke-stack.yml'));
    const payload = pullRequestEvent('opened');
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload });
    const smoke = jobOf(run, 'smoke');
    expect(resultOf(run, smoke)).toEqual({ job: smoke.name, result: 'success' });
    const [step] = actionSteps(smoke);
    // smoke-${{ github.run_id }}; its url output matched expect-outputs before the teardown.
    expect(step!.outputs.stack).toMatch(/^octo-org\/files-py\/smoke-\d+$/);
    expect(JSON.parse(step!.outputs.checks!)).toEqual({ url: true });
    expect(smoke.summary).toMatch(/destroy/i);
    expect(stacksOf(repo)).toEqual([]);
    // comment-on-pr: false
    expect(suite.api.comments('Codertocat', 'Hello-World', payload.number)).toEqual([]);
    expect(secretsIn(run.log, [PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});

describe('drift-and-cleanup.yml', () => {
  let workflow: string;
  beforeAll(() => {
    workflow = addWorkflow(repo, 'drift-and-cleanup.yml', exampleWorkflow('drift-and-cleanup.yml'));
  });

  it("removes the closed pull request's smoke stacks, and only those", async () => {
    const payload = pullRequestEvent('closed');
    leftover('smoke-101', { 'ephemeral:pull-request': String(payload.number) });
    leftover('smoke-102', { 'ephemeral:pull-request': String(payload.number + 1) });
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload });
    const cleanup = jobOf(run, 'cleanup');
    expect(resultOf(run, cleanup)).toEqual({ job: cleanup.name, result: 'success' });
    // drift's `if:` leaves pull requests out.
    expect(run.jobs.map((j) => j.id)).toEqual(['cleanup']);
    expect(JSON.parse(actionSteps(cleanup)[0]!.outputs.removed!)).toEqual(['smoke-101']);
    expect(stacksOf(repo)).toEqual(['smoke-102']);
  });

  it('checks every stack for drift on schedule, and removes expired smoke stacks', async () => {
    for (const stack of ['dev', 'staging', 'prod']) pulumiCli(repo, 'infra', ['stack', 'init', stack]);
    leftover('smoke-103', { 'ephemeral:expires': new Date(Date.now() - 60_000).toISOString() });
    const run = await suite.run(repo, { workflow, event: 'schedule', payload: { schedule: '17 6 * * 1-5' } });
    for (const stack of ['dev', 'staging', 'prod']) {
      const drift = jobOf(run, 'drift', { stack });
      expect(resultOf(run, drift)).toEqual({ job: drift.name, result: 'success' });
      expect(actionSteps(drift)[0]!.outputs.drifted).toBe('false');
    }
    const cleanup = jobOf(run, 'cleanup');
    expect(resultOf(run, cleanup)).toEqual({ job: cleanup.name, result: 'success' });
    expect(JSON.parse(actionSteps(cleanup)[0]!.outputs.removed!)).toEqual(['smoke-103']);
    expect(stacksOf(repo)).toEqual(['dev', 'prod', 'smoke-102', 'staging']);
    expect(secretsIn(run.log, [PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});
