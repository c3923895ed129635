// The example workflows in examples/workflows and the repository's own workflows: actionlint finds
// nothing in them, and the examples keep the rules their comments promise (least-privilege
// permissions, stack-changing jobs never cancelled, the destroy approval only behind an
// environment). actionlint cannot check this action's inputs (it only knows published actions),
// so the inputs are checked here against action.yml.
import { beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import yaml from 'js-yaml';
import { ensureActionlint, lintWorkflows, workflowFiles } from '../../scripts/actionlint.mjs';
import { COMMANDS } from '../../src/model/settings.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const EXAMPLES = path.join(REPO, 'examples', 'workflows');
const ACTION_REF = 'octo-org/pulumi-stack-action@v1';
// Commands that change a stack's state: a job running one must never be cancelled half-way.
// `comment` runs what a PR comment asks for, `up` and `destroy` among them.
const STATE_CHANGING = new Set(['up', 'destroy', 'refresh', 'smoke', 'cleanup', 'comment']);
const EXPECTED_EXAMPLES = ['dispatch.yml', 'drift-and-cleanup.yml', 'monorepo.yml', 'pr-commands.yml', 'pr-preview.yml', 'production.yml', 'reviewed-plan.yml', 'smoke-stack.yml'];

type Mapping = Record<string, unknown>;
interface Step {
  uses?: string;
  run?: string;
  /** A step's inputs: scalars, as workflow syntax allows (expressions are strings). */
  with?: Record<string, string | number | boolean | null>;
  env?: Mapping;
}
interface Job {
  if?: string;
  permissions?: unknown;
  concurrency?: unknown;
  environment?: unknown;
  env?: Mapping;
  steps?: Step[];
}
interface Workflow {
  on?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  env?: Mapping;
  jobs: Record<string, Job>;
}

const isExpression = (value: unknown) => typeof value === 'string' && value.includes('${{');
const isOurs = (step: Step) => step.uses === ACTION_REF;
const commandOf = (step: Step) => String(step.with?.command ?? '');
const inputOf = (step: Step, name: string) => (step.with?.[name] === undefined ? undefined : String(step.with[name]));

function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return Object.keys((on as Mapping | undefined) ?? {});
}

/** A job's permissions: its own block replaces the workflow's, as on GitHub. */
function permissionsOf(workflow: Workflow, job: Job): Mapping | string | undefined {
  return (job.permissions ?? workflow.permissions) as Mapping | string | undefined;
}

function grants(permissions: Mapping | string | undefined, scope: string, level: 'read' | 'write'): boolean {
  if (typeof permissions === 'string') return permissions === `${level}-all` || (level === 'read' && permissions === 'write-all');
  const value = permissions?.[scope];
  return value === level || (level === 'read' && value === 'write');
}

/**
 * A step of ours that would write a PR comment (the action comments on pull request events), or
 * answer a PR command (reactions and replies, on comments on pull requests).
 */
function mayComment(workflow: Workflow, step: Step): boolean {
  if (!isOurs(step) || ['cleanup', 'detect'].includes(commandOf(step))) return false;
  if (commandOf(step) === 'comment') return triggers(workflow).includes('issue_comment');
  if (inputOf(step, 'comment-on-pr') === 'false' || inputOf(step, 'comment-mode') === 'off') return false;
  return triggers(workflow).some((t) => t.startsWith('pull_request')) || inputOf(step, 'pr-number') !== undefined;
}

/**
 * A step of ours that sets a merge check: a preview or an up for a pull request (on its events, in a
 * job that does not run only on pushes), or a PR command, on the head it runs.
 */
function setsMergeCheck(workflow: Workflow, job: Job, step: Step): boolean {
  if (!isOurs(step)) return false;
  if (commandOf(step) === 'comment') return triggers(workflow).includes('issue_comment');
  const onlyOnPush = /github\.event_name == 'push'/.test(String(job.if ?? ''));
  return ['preview', 'up'].includes(commandOf(step)) && !onlyOnPush && triggers(workflow).some((t) => t.startsWith('pull_request'));
}

/** Every rule the example workflows promise, as one problem per line (empty: all kept). */
function exampleProblems(workflow: Workflow, inputs: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const jobs = Object.entries(workflow.jobs ?? {});
  if (!jobs.some(([, job]) => (job.steps ?? []).some(isOurs))) problems.push(`no step uses ${ACTION_REF}`);
  if (typeof workflow.permissions === 'string') problems.push(`workflow permissions '${workflow.permissions}': list the scopes`);
  if (workflow.env && 'PULUMI_DESTROY_APPROVED' in workflow.env) problems.push('PULUMI_DESTROY_APPROVED set for the whole workflow');
  const backends = new Set<string>();

  for (const [name, job] of jobs) {
    const steps = job.steps ?? [];
    const permissions = permissionsOf(workflow, job);
    if (permissions === undefined) problems.push(`${name}: no permissions, neither its own nor the workflow's`);
    if (typeof job.permissions === 'string') problems.push(`${name}: permissions '${job.permissions}': list the scopes`);
    if (grants(permissions, 'pull-requests', 'write') && !steps.some((s) => mayComment(workflow, s))) {
      problems.push(`${name}: 'pull-requests: write' but no step writes a PR comment`);
    }
    const mergeChecks = steps.some((s) => setsMergeCheck(workflow, job, s));
    if (mergeChecks && !grants(permissions, 'statuses', 'write')) problems.push(`${name}: sets a merge check without 'statuses: write'`);
    if (!mergeChecks && grants(permissions, 'statuses', 'write')) problems.push(`${name}: 'statuses: write' but no step sets a merge check`);
    const readsRuns = steps.some((s) => (isOurs(s) && inputOf(s, 'require-approval') !== undefined) || (s.uses?.startsWith('actions/download-artifact@') && s.with?.['run-id'] !== undefined));
    if (grants(permissions, 'actions', 'read') && !readsRuns) problems.push(`${name}: 'actions: read' but nothing reads runs or their approvals`);
    if (steps.some((s) => isOurs(s) && inputOf(s, 'require-approval')) && !grants(permissions, 'actions', 'read')) {
      problems.push(`${name}: require-approval needs 'actions: read'`);
    }

    if (job.env && 'PULUMI_DESTROY_APPROVED' in job.env && job.environment === undefined) {
      problems.push(`${name}: PULUMI_DESTROY_APPROVED set in a job bound to no environment`);
    }
    for (const step of steps) {
      if (step.env && 'PULUMI_DESTROY_APPROVED' in step.env) problems.push(`${name}: PULUMI_DESTROY_APPROVED set on a step, not on the job`);
    }

    const ours = steps.filter(isOurs);
    const changesState = ours.some((s) => STATE_CHANGING.has(commandOf(s)) || isExpression(commandOf(s)));
    if (changesState) {
      const groups = [workflow.concurrency, job.concurrency].filter((c) => c !== undefined);
      if (groups.length === 0) problems.push(`${name}: changes a stack but has no concurrency group`);
      for (const group of groups) {
        if (typeof group !== 'object' || group === null || (group as Mapping)['cancel-in-progress'] !== false) {
          problems.push(`${name}: changes a stack, so its concurrency needs 'cancel-in-progress: false' (a literal false)`);
        }
      }
    }

    for (const step of ours) {
      const command = commandOf(step);
      if (!command) problems.push(`${name}: a step of ours without 'command'`);
      else if (!isExpression(command) && !(COMMANDS as readonly string[]).includes(command)) problems.push(`${name}: unknown command '${command}'`);
      for (const input of Object.keys(step.with ?? {})) {
        if (!inputs.has(input)) problems.push(`${name}: input '${input}' is not declared in action.yml`);
      }
      if (command === 'detect') continue; // reads files only: no backend
      const backendUrl = inputOf(step, 'backend-url');
      const token = { ...workflow.env, ...job.env, ...step.env }.PULUMI_ACCESS_TOKEN;
      if (backendUrl !== undefined && !backendUrl.startsWith('https://')) {
        backends.add(backendUrl.split(':')[0]!);
        if (token !== undefined) problems.push(`${name}: a self-managed backend and PULUMI_ACCESS_TOKEN together`);
      } else if (token === undefined) {
        problems.push(`${name}: Pulumi Cloud state without PULUMI_ACCESS_TOKEN`);
      } else {
        backends.add('pulumi-cloud');
      }
    }
  }
  if (backends.size > 1) problems.push(`state in more than one backend: ${[...backends].join(', ')}`);
  return problems;
}

function load(file: string): Workflow {
  return yaml.load(fs.readFileSync(file, 'utf8')) as Workflow;
}

function actionInputs(): Set<string> {
  const action = yaml.load(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as { inputs: Mapping };
  return new Set(Object.keys(action.inputs));
}

describe('actionlint', () => {
  beforeAll(() => {
    ensureActionlint();
  }, 600_000); // the first run builds actionlint from the Go module proxy: ~30 s, more on a slow link

  it('finds nothing in the example and repository workflows', () => {
    const files = workflowFiles();
    expect(files.filter((f) => f.startsWith(EXAMPLES)).map((f) => path.basename(f))).toEqual(EXPECTED_EXAMPLES);
    expect(files.some((f) => f.includes(`${path.sep}.github${path.sep}`))).toBe(true);
    const findings = lintWorkflows(files).map((f) => `${path.relative(REPO, f.filepath)}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    expect(findings).toEqual([]);
  });

  it('reports what is wrong in a broken workflow', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actionlint-'));
    try {
      const file = path.join(dir, 'broken.yml');
      fs.writeFileSync(file, ['on: push', 'jobs:', '  deploy:', '    needs: build', '    runs-on: ubuntu-latest', '    steps:', '      - run: echo "${{ github.nope }}"', ''].join('\n'));
      const findings = lintWorkflows([file]);
      expect(findings.map((f) => f.kind).sort()).toEqual(['expression', 'job-needs']);
      expect(findings.every((f) => f.filepath.endsWith('broken.yml') && f.line > 0)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('example workflows', () => {
  const inputs = actionInputs();

  it.each(EXPECTED_EXAMPLES)('%s keeps the rules', (name) => {
    expect(exampleProblems(load(path.join(EXAMPLES, name)), inputs)).toEqual([]);
  });

  it('smoke stacks are created and cleaned up under the same pattern', () => {
    const patternsOf = (file: string, command: string) =>
      Object.values(load(path.join(EXAMPLES, file)).jobs)
        .flatMap((job) => job.steps ?? [])
        .filter((s) => isOurs(s) && commandOf(s) === command)
        .map((s) => inputOf(s, 'ephemeral-stacks'));
    expect(patternsOf('smoke-stack.yml', 'smoke')).toEqual(['smoke-*']);
    expect(patternsOf('drift-and-cleanup.yml', 'cleanup')).toEqual(['smoke-*']);
  });

  describe('the rules catch', () => {
    const base = (job: Job, extra: Partial<Workflow> = {}): Workflow => ({
      on: { push: null },
      permissions: { contents: 'read' },
      jobs: { deploy: job },
      ...extra,
    });
    const up = (more: Mapping = {}): Step => ({
      uses: ACTION_REF,
      with: { command: 'up', stack: 'prod', ...more },
      env: { PULUMI_ACCESS_TOKEN: '${{ secrets.PULUMI_ACCESS_TOKEN }}' },
    });
    const never = { group: 'pulumi-prod', 'cancel-in-progress': false };

    it('a kept workflow', () => {
      expect(exampleProblems(base({ concurrency: never, steps: [up()] }), inputs)).toEqual([]);
    });

    it('a kept PR command workflow, whose answers need the comment permission', () => {
      const commands = base(
        { permissions: { 'pull-requests': 'write', statuses: 'write' }, concurrency: never, steps: [up({ command: 'comment' })] },
        { on: { issue_comment: { types: ['created'] } } },
      );
      expect(exampleProblems(commands, inputs)).toEqual([]);
    });

    it.each<[string, Workflow, string]>([
      ['no permissions', { ...base({ concurrency: never, steps: [up()] }), permissions: undefined }, 'deploy: no permissions'],
      ['write-all', base({ permissions: 'write-all', concurrency: never, steps: [up()] }), "permissions 'write-all'"],
      ['an up without concurrency', base({ steps: [up()] }), 'no concurrency group'],
      ['an up that may be cancelled', base({ concurrency: { group: 'g', 'cancel-in-progress': true }, steps: [up()] }), "'cancel-in-progress: false'"],
      ['a command from an expression that may be cancelled', base({ concurrency: 'g', steps: [up({ command: '${{ inputs.command }}' })] }), "'cancel-in-progress: false'"],
      ['a workflow group that cancels', base({ concurrency: never, steps: [up()] }, { concurrency: { group: 'w', 'cancel-in-progress': true } }), "'cancel-in-progress: false'"],
      ['a comment permission nothing uses', base({ permissions: { 'pull-requests': 'write' }, concurrency: never, steps: [up()] }), "'pull-requests: write'"],
      ['require-approval without actions: read', base({ concurrency: never, steps: [up({ 'require-approval': 'production' })] }), "needs 'actions: read'"],
      ['a destroy approval outside an environment', base({ concurrency: never, env: { PULUMI_DESTROY_APPROVED: 'true' }, steps: [up()] }), 'bound to no environment'],
      ['an input action.yml does not declare', base({ concurrency: never, steps: [up({ 'stack-name': 'x' })] }), "input 'stack-name'"],
      ['an unknown command', base({ concurrency: never, steps: [up({ command: 'deploy' })] }), "unknown command 'deploy'"],
      ['PR commands without concurrency', base({ steps: [up({ command: 'comment' })] }, { on: { issue_comment: { types: ['created'] } } }), 'no concurrency group'],
      [
        'PR commands without the merge check permission',
        base({ permissions: { 'pull-requests': 'write' }, concurrency: never, steps: [up({ command: 'comment' })] }, { on: { issue_comment: null } }),
        "without 'statuses: write'",
      ],
      ['a pull request preview without the merge check permission', base({ concurrency: never, steps: [up({ command: 'preview' })] }, { on: { pull_request: null } }), "without 'statuses: write'"],
      ['a merge check permission nothing uses', base({ permissions: { statuses: 'write' }, concurrency: never, steps: [up()] }), "'statuses: write' but no step"],
      [
        'PR commands outside issue_comment events with a comment permission',
        base({ permissions: { 'pull-requests': 'write' }, concurrency: never, steps: [up({ command: 'comment' })] }),
        "'pull-requests: write'",
      ],
      ['two backends', base({ concurrency: never, steps: [up(), { uses: ACTION_REF, with: { command: 'preview', stack: 'dev', 'backend-url': 's3://b' } }] }), 'more than one backend'],
    ])('%s', (_, workflow, problem) => {
      expect(exampleProblems(workflow, inputs).join('\n')).toContain(problem);
    });
  });
});
