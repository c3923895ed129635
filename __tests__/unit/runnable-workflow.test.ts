// scripts/runnable-workflow.mjs, which the act suite runs every example workflow through: it keeps
// the workflow's own logic, changes only what this machine cannot have, and refuses what it does
// not know how to run here.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import { workflowFiles } from '../../scripts/actionlint.mjs';
import { runnableWorkflow } from '../../scripts/runnable-workflow.mjs';

const OPTIONS = {
  checkout: "cp -R '/repo/.' .",
  backend: { url: 'file:///state', env: { PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}' } },
  artifacts: '/artifacts',
};

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
type Workflow = { env?: Record<string, string>; jobs: Record<string, { env?: Record<string, string>; steps: Step[]; if?: string; strategy?: unknown }> };

const runnable = (text: string, options = {}) => yaml.load(runnableWorkflow(text, { ...OPTIONS, ...options })) as Workflow;

describe('runnableWorkflow', () => {
  it.each(workflowFiles().map((f) => path.relative(process.cwd(), f)))('leaves %s nothing but local actions and run steps', (file) => {
    const text = fs.readFileSync(file, 'utf8');
    const before = yaml.load(text) as Workflow;
    const after = runnable(text);
    expect(after.env).toMatchObject({ PULUMI_BACKEND_URL: 'file:///state' });
    for (const [id, job] of Object.entries(after.jobs)) {
      // Conditions, matrices and the number of steps are the workflow's own.
      expect(job.if).toBe(before.jobs[id]!.if);
      expect(job.strategy).toEqual(before.jobs[id]!.strategy);
      expect(job.steps).toHaveLength(before.jobs[id]!.steps.length);
      for (const step of job.steps) {
        expect(step.uses === undefined || step.uses === './').toBe(true);
        expect(JSON.stringify(step.env ?? {})).not.toContain('PULUMI_ACCESS_TOKEN');
        expect(step.with?.['secrets-provider']).toBeUndefined();
      }
    }
  });

  it('turns the published action into the local one and points cloud backends at the test backend', () => {
    const after = runnable(`
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/pulumi-stack-action@v1
        with: { command: preview, stack: dev, backend-url: "s3://bucket", secrets-provider: "awskms://alias/x" }
        env: { PULUMI_ACCESS_TOKEN: "\${{ secrets.PULUMI_ACCESS_TOKEN }}" }
`);
    expect(after.jobs.a!.steps).toEqual([
      { name: 'Check out (a copy of the test repository)', run: "cp -R '/repo/.' ." },
      { uses: './', with: { command: 'preview', stack: 'dev', 'backend-url': 'file:///state' } },
    ]);
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
