// Deploys under nektos/act, on Pulumi Cloud (the stand-in) as the workflows are written: the README's
// deploy job and production.yml on a push to main, the destroy behind PULUMI_DESTROY_APPROVED set at
// job level (refused when the job lacks it), and dispatch.yml's form. Events are GitHub's example payloads, pointed at
// the main branch and, for the form, filled in as a person would.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  actionSteps,
  addWorkflow,
  CLOUD_TOKEN,
  EXAMPLE_REPOSITORY,
  dispatchEvent,
  exampleWorkflow,
  jobOf,
  PASSPHRASE,
  pushToMain,
  pulumiCli,
  readmeWorkflow,
  resultOf,
  secretsIn,
  stacksOf,
  startActSuite,
  stepOf,
  WORKFLOW_TOKEN,
  type ActRepository,
  type ActSuite,
} from '../support/act.js';

const { owner, repo: name } = EXAMPLE_REPOSITORY;
/** act numbers every run 1 (`github.run_id`). */
const RUN_ID = 1;

let suite: ActSuite;

beforeAll(async () => {
  suite = await startActSuite();
  // Someone other than the run's actor approved it for both environments.
  suite.api.seedApprovals(owner, name, RUN_ID, [{ login: 'octocat', environments: ['production', 'production-destroy'] }]);
});

afterAll(() => suite.close());

/** The resources in a stack's state, by name (the stack itself left out). */
function resourcesOf(repo: ActRepository, stack: string): string[] {
  const state = JSON.parse(pulumiCli(repo, 'infra', ['stack', 'export', '--stack', stack])) as { deployment: { resources?: { urn: string; type: string }[] } };
  return (state.deployment.resources ?? [])
    .filter((r) => r.type.startsWith('pulumi-python:'))
    .map((r) => r.urn.split('::').pop()!)
    .sort();
}

describe('production on Pulumi Cloud', () => {
  let repo: ActRepository;
  let outDir: string;
  beforeAll(() => {
    repo = suite.repository();
    outDir = path.join(path.dirname(repo.dir), 'prod-files');
    // The stack's config file, as a repository keeps it: the files land outside act's job folder.
    fs.writeFileSync(path.join(repo.dir, 'infra', 'Pulumi.prod.yaml'), `config:\n  files-py:outDir: ${JSON.stringify(outDir)}\n`);
  });

  it("deploys with the README's deploy job, whose next step reads the stack's url output", async () => {
    const workflow = addWorkflow(repo, 'readme.yml', readmeWorkflow());
    const run = await suite.run(repo, { workflow, event: 'push', payload: pushToMain(), secrets: { DB_PASSWORD: 'unused-on-push' } });
    const deploy = jobOf(run, 'deploy');
    expect(resultOf(run, deploy)).toEqual({ job: deploy.name, result: 'success' });
    expect(run.jobs.map((j) => j.id)).toEqual(['deploy']);
    expect(stepOf(deploy, 'pulumi').outputs).toMatchObject({ url: 'https://files.example.com/prod/manifest.json', 'has-changes': 'true' });
    // `run: echo "Deployed to ${{ steps.pulumi.outputs.url }}"`
    expect(deploy.steps.at(-1)!.output).toBe('Deployed to https://files.example.com/prod/manifest.json\n');
    expect(fs.readdirSync(outDir).sort()).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
  });

  it("runs production.yml's up after an approval by someone else (require-approval)", async () => {
    const workflow = addWorkflow(repo, 'production.yml', exampleWorkflow('production.yml'));
    const run = await suite.run(repo, { workflow, event: 'push', payload: pushToMain() });
    const up = jobOf(run, 'up');
    expect(resultOf(run, up)).toEqual({ job: up.name, result: 'success' });
    expect(stepOf(up, 'pulumi').outputs['has-changes']).toBe('false');
    expect(suite.api.requests.some((r) => r.path === `/repos/${owner}/${name}/actions/runs/${RUN_ID}/approvals`)).toBe(true);
  });

  it('refuses the destroy in a job without PULUMI_DESTROY_APPROVED, and runs it in the one that sets it', async () => {
    const payload = dispatchEvent({ 'confirm-destroy': 'destroy prod' });
    const unapproved = addWorkflow(repo, 'production-unapproved.yml', exampleWorkflow('production.yml'), { dropEnv: ['PULUMI_DESTROY_APPROVED'] });
    const refused = await suite.run(repo, { workflow: unapproved, event: 'workflow_dispatch', payload });
    const job = jobOf(refused, 'destroy');
    expect(resultOf(refused, job, 'failure')).toEqual({ job: job.name, result: 'failure' });
    expect(actionSteps(job)[0]!.errors).toEqual([expect.stringMatching(/^operation: Destroying stack .prod. needs approval: set the environment variable PULUMI_DESTROY_APPROVED/)]);
    expect(resourcesOf(repo, 'prod')).toEqual(['file-0', 'file-1', 'file-2', 'manifest']);

    const workflow = addWorkflow(repo, 'production.yml', exampleWorkflow('production.yml'));
    const run = await suite.run(repo, { workflow, event: 'workflow_dispatch', payload });
    const destroy = jobOf(run, 'destroy');
    expect(resultOf(run, destroy)).toEqual({ job: destroy.name, result: 'success' });
    expect(run.jobs.map((j) => j.id)).toEqual(['destroy']);
    expect(resourcesOf(repo, 'prod')).toEqual([]);
    expect(fs.readdirSync(outDir)).toEqual([]);
    expect(secretsIn(refused.log + run.log, [PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});

describe('dispatch.yml', () => {
  let repo: ActRepository;
  beforeAll(() => {
    repo = suite.repository();
  });

  it('runs the command the form names on the stack it names', async () => {
    const workflow = addWorkflow(repo, 'dispatch.yml', exampleWorkflow('dispatch.yml'));
    const up = await suite.run(repo, { workflow, event: 'workflow_dispatch', payload: dispatchEvent({ stack: 'dev', command: 'up', message: 'from the act suite' }) });
    const job = jobOf(up, 'pulumi');
    expect(resultOf(up, job)).toEqual({ job: job.name, result: 'success' });
    expect(actionSteps(job)[0]!.outputs).toMatchObject({ stack: 'octo-org/files-py/dev', 'has-changes': 'true', greeting: 'hello, dev!' });
    expect(resourcesOf(repo, 'dev')).toEqual(['file-0', 'file-1', 'file-2', 'manifest']);
    const history = JSON.parse(pulumiCli(repo, 'infra', ['stack', 'history', '--stack', 'dev', '--json'])) as { message: string }[];
    expect(history[0]!.message).toBe('from the act suite');

    // The job's env makes PULUMI_DESTROY_APPROVED "true" exactly when the form says destroy.
    const destroy = await suite.run(repo, { workflow, event: 'workflow_dispatch', payload: dispatchEvent({ stack: 'dev', command: 'destroy' }) });
    expect(resultOf(destroy, jobOf(destroy, 'pulumi'))).toMatchObject({ result: 'success' });
    expect(resourcesOf(repo, 'dev')).toEqual([]);
    // Destroyed, not removed (the account's prod stack, from the tests above, is there too).
    expect(stacksOf(repo)).toContain('dev');
    expect(secretsIn(up.log + destroy.log, [PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});
