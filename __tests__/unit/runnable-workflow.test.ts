// scripts/runnable-workflow.mjs, which the act suite runs every example workflow through: it keeps
// the workflow's own logic, changes only what this machine cannot have, and refuses what it does
// not know how to run here.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import { workflowFiles } from '../../scripts/actionlint.mjs';
import { runnableWorkflow } from '../../scripts/runnable-workflow.mjs';

const CLOUD = 'https://127.0.0.1:8443';
const OPTIONS = {
  checkout: "cp -R '/repo/.' .",
  cloud: { url: CLOUD },
  selfManaged: { url: 'file:///state', env: { PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}' } },
  artifacts: '/artifacts',
};

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
type Workflow = { env?: Record<string, string>; jobs: Record<string, { env?: Record<string, string>; steps: Step[]; if?: string; strategy?: unknown }> };

const runnable = (text: string, options = {}) => yaml.load(runnableWorkflow(text, { ...OPTIONS, ...options })) as Workflow;

describe('runnableWorkflow', () => {
  it.each(workflowFiles().map((f) => path.relative(process.cwd(), f)))('leaves %s nothing but local actions and run steps, Pulumi Cloud kept', (file) => {
    const text = fs.readFileSync(file, 'utf8');
    const before = yaml.load(text) as Workflow;
    const after = runnable(text);
    // The stand-in takes the place of api.pulumi.com, the CLI's default backend.
    expect(after.env).toMatchObject({ PULUMI_BACKEND_URL: CLOUD });
    for (const [id, job] of Object.entries(after.jobs)) {
      // Conditions, matrices, the number of steps and their credentials are the workflow's own.
      expect(job.if).toBe(before.jobs[id]!.if);
      expect(job.strategy).toEqual(before.jobs[id]!.strategy);
      expect(job.steps).toHaveLength(before.jobs[id]!.steps.length);
      job.steps.forEach((step, i) => {
        expect(step.uses === undefined || step.uses === './').toBe(true);
        expect(step.env?.PULUMI_ACCESS_TOKEN).toBe(before.jobs[id]!.steps[i]!.env?.PULUMI_ACCESS_TOKEN);
        // The published action's self-managed backends point at the test's; their cloud KMS
        // secrets providers go.
        const backend = step.with?.['backend-url'];
        if (!before.jobs[id]!.steps[i]!.uses?.startsWith('octo-org/') || backend === undefined) return;
        expect(backend).toBe('file:///state');
        expect(step.with?.['secrets-provider']).toBeUndefined();
      });
    }
  });

  it('keeps Pulumi Cloud and its token, and points storage backends at the test backend with its passphrase', () => {
    const after = runnable(`
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/pulumi-stack-action@v1
        with: { command: preview, stack: dev }
        env: { PULUMI_ACCESS_TOKEN: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" }
      - uses: octo-org/pulumi-stack-action@v1
        with: { command: preview, stack: dev, backend-url: "https://api.pulumi.com" }
      - uses: octo-org/pulumi-stack-action@v1
        with: { command: preview, stack: dev, backend-url: "s3://bucket", secrets-provider: "awskms://alias/x" }
`);
    expect(after.env).toEqual({ PULUMI_BACKEND_URL: CLOUD, PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}' });
    expect(after.jobs.a!.steps).toEqual([
      { name: 'Check out (a copy of the test repository)', run: "cp -R '/repo/.' ." },
      { uses: './', with: { command: 'preview', stack: 'dev' }, env: { PULUMI_ACCESS_TOKEN: '${{ secrets.PULUMI_ACCESS_TOKEN }}' } },
      { uses: './', with: { command: 'preview', stack: 'dev', 'backend-url': CLOUD } },
      { uses: './', with: { command: 'preview', stack: 'dev', 'backend-url': 'file:///state' } },
    ]);
  });

  it('refuses a workflow that chooses its backend through PULUMI_BACKEND_URL', () => {
    expect(() => runnable('on: push\njobs:\n  a:\n    runs-on: x\n    env: { PULUMI_BACKEND_URL: "s3://b" }\n    steps: []\n')).toThrow('job a sets PULUMI_BACKEND_URL');
  });

  it('replaces named steps only where asked, and drops variables only where asked', () => {
    const text = `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    env: { PULUMI_DESTROY_APPROVED: "true" }
    steps:
      - name: Ask GitHub
        run: gh api repos
`;
    const after = runnable(text, { standIns: { 'Ask GitHub': 'echo stand-in' }, dropEnv: ['PULUMI_DESTROY_APPROVED'] });
    expect(after.jobs.a!.steps[0]!.run).toBe('echo stand-in');
    expect(after.jobs.a!.env).toBeUndefined();
    expect(() => runnable(text, { standIns: { 'No such step': 'x' } })).toThrow('no step is named No such step');
  });

  it('refuses an action it cannot stand in for', () => {
    expect(() => runnable('on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n')).toThrow(
      'job a uses docker/build-push-action@v6, which this machine cannot run',
    );
  });
});
