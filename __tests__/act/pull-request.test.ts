// Pull-request workflows under nektos/act, against Pulumi Cloud (the stand-in), on GitHub's example payloads for a pull request opened
// and then synchronized: the README's own example, and pr-preview.yml with its matrix of stacks.
// act reads action.yml and fills every input the way a runner does, so a default the action
// mishandles fails here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  actionSteps,
  addWorkflow,
  CLOUD_TOKEN,
  EXAMPLE_REPOSITORY,
  exampleWorkflow,
  jobOf,
  pullRequestEvent,
  PASSPHRASE,
  readmeWorkflow,
  resultOf,
  secretsIn,
  startActSuite,
  WORKFLOW_TOKEN,
  type ActRepository,
  type ActSuite,
} from '../support/act.js';

const DB_PASSWORD = 'act-db-password-value';
const { owner, repo: name } = EXAMPLE_REPOSITORY;

let suite: ActSuite;
let repo: ActRepository;

beforeAll(async () => {
  suite = await startActSuite();
  repo = suite.repository();
});

afterAll(() => suite.close());

describe("the README's workflow", () => {
  it('previews a pull request when opened, and keeps one sticky comment when synchronized', async () => {
    const workflow = addWorkflow(repo, 'readme.yml', readmeWorkflow());
    const opened = pullRequestEvent('opened');
    const head: string = opened.pull_request.head.sha;
    suite.api.setPullRequest(owner, name, opened.number, { headSha: head });
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload: opened, secrets: { DB_PASSWORD } });
    const preview = jobOf(run, 'preview');
    expect(resultOf(run, preview)).toEqual({ job: preview.name, result: 'success' });
    // deploy's `if:` (the main branch) is false on a pull request: act does not start it.
    expect(run.jobs.map((j) => j.id)).toEqual(['preview']);

    const [step] = actionSteps(preview);
    expect(step?.outputs).toMatchObject({ stack: 'octo-org/files-py/prod', 'has-changes': 'true', 'has-deletes': 'false' });
    // The stack, three files and the manifest.
    expect(JSON.parse(step!.outputs.changes!)).toMatchObject({ create: 5 });
    expect(preview.summary).toMatch(/files-py\/prod/);
    const comments = suite.api.comments(owner, name, opened.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.user.login).toBe('github-actions[bot]');
    expect(comments[0]!.body).toContain('<code>pulumi preview</code> succeeded on <code>octo-org/files-py/prod</code>');
    expect(comments[0]!.body).toMatch(/Create \| 5 \|/);
    // GitHub Enterprise Server: the run's link is on the server act names, not github.com.
    expect(comments[0]!.body).toContain(`(${suite.api.serverUrl}/${owner}/${name}/actions/runs/`);
    // Nobody holds the stack; the merge check on the head says its changes are not applied.
    expect(step?.outputs).toMatchObject({ lock: '' });
    expect(comments[0]!.body).toContain('🔓 No pull request holds stack <code>prod</code>.');
    expect(suite.api.statuses(owner, name, head)).toEqual([
      expect.objectContaining({ context: 'pulumi/files-py/prod', state: 'pending', description: 'Not applied: 5 to create', login: 'github-actions[bot]' }),
    ]);

    const synchronized = await suite.run(repo, { workflow, event: 'pull_request', payload: pullRequestEvent('synchronize'), secrets: { DB_PASSWORD } });
    expect(resultOf(synchronized, jobOf(synchronized, 'preview'))).toMatchObject({ result: 'success' });
    const after = suite.api.comments(owner, name, opened.number);
    expect(after.map((c) => c.id)).toEqual([comments[0]!.id]);
    expect(after[0]!.updated_at >= comments[0]!.updated_at).toBe(true);
    expect(suite.api.rejected).toEqual([]);
    expect(secretsIn(run.log + synchronized.log, [DB_PASSWORD, PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});

describe('pr-preview.yml', () => {
  it('previews each stack of its matrix, with one comment per stack', async () => {
    const workflow = addWorkflow(repo, 'pr-preview.yml', exampleWorkflow('pr-preview.yml'));
    const payload = pullRequestEvent('opened');
    payload.number = 3;
    payload.pull_request.number = 3;
    suite.api.setPullRequest(owner, name, 3, { headSha: payload.pull_request.head.sha });
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload });
    for (const stack of ['staging', 'prod']) {
      const job = jobOf(run, 'preview', { stack });
      expect(resultOf(run, job)).toEqual({ job: job.name, result: 'success' });
      // diff: true puts the engine's detailed diff into the log.
      expect(actionSteps(job)[0]!.output).toMatch(/\+ .*files-py.*file-0|create/);
    }
    const bodies = suite.api.comments(owner, name, 3).map((c) => c.body);
    expect(bodies).toHaveLength(2);
    expect(bodies.filter((b) => b.includes('Stack <code>staging</code>'))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('Stack <code>prod</code>'))).toHaveLength(1);
    // The example's head is the README test's too: its prod check was set there before.
    const checks = new Set(suite.api.statuses(owner, name, payload.pull_request.head.sha).map((s) => `${s.context} ${s.state}`));
    expect([...checks].sort()).toEqual(['pulumi/files-py/prod pending', 'pulumi/files-py/staging pending']);
    expect(suite.api.rejected).toEqual([]);
    expect(secretsIn(run.log, [PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});
