// Stage 2: decides what will run, from the command's record and its gates: the environment approval
// and the state-loss guard here, the destroy and deletes decisions in destroy.ts, the pull-request
// gates in pr-command.ts and pr-lock.ts. Every gate lives in plan/ and nowhere else; the pipeline
// only carries out the plan.
import * as path from 'node:path';
import { STACK_COMMAND_RECORDS, type Gate, type GateDecision, type Step } from '../model/commands.js';
import { deletesSteps, destroyGate } from './destroy.js';
import type { StackSettings } from '../model/settings.js';
import type { RunApproval } from '../workspace/github.js';

/**
 * `require-approval: <environment>`: this run must have been approved for that environment by
 * someone other than whoever triggered it. A rejection anywhere for it refuses outright. `actors`:
 * who started the run (GITHUB_ACTOR) and who triggered this attempt of it (GITHUB_TRIGGERING_ACTOR,
 * another person on a re-run): neither counts as someone else.
 */
export function approvalGate(approvals: readonly RunApproval[], environment: string, actors: readonly (string | undefined)[]): GateDecision {
  const forEnvironment = approvals.filter((a) => a.environments.includes(environment));
  const rejected = forEnvironment.find((a) => a.state === 'rejected');
  if (rejected) return { allowed: false, reason: `${rejected.user} rejected this run for the environment '${environment}'.` };
  const approvedBy = forEnvironment.filter((a) => a.state === 'approved').map((a) => a.user);
  const other = approvedBy.find((user) => !actors.includes(user));
  if (other) return { allowed: true, reason: `approved for '${environment}' by ${other}` };
  if (approvedBy.length > 0) {
    return {
      allowed: false,
      reason: `This run was approved for '${environment}' only by ${[...new Set(approvedBy)].join(', ')}, who started or re-ran it: someone else must approve it.`,
    };
  }
  return {
    allowed: false,
    reason: `This run has no approval for the environment '${environment}': bind the job to that environment with required reviewers, and have someone other than the actor approve it.`,
  };
}

/**
 * A file:// backend inside the runner's temporary space disappears with the runner, and with it the
 * only record of what exists: refuse to create lasting resources there unless asked to.
 */
export function stateLossGuard(backendUrl: string | undefined, runnerTemp: string | undefined): GateDecision {
  const dir = backendUrl?.startsWith('file://') ? path.resolve(backendUrl.slice('file://'.length)) : undefined;
  const temp = runnerTemp ? path.resolve(runnerTemp) : undefined;
  if (dir && temp && (dir === temp || dir.startsWith(temp + path.sep))) {
    return {
      allowed: false,
      reason:
        `The state backend ${backendUrl} is inside RUNNER_TEMP, which is deleted when the job ends: the stack's state would be lost ` +
        `while its resources live on. Use a lasting backend (Pulumi Cloud, s3://, postgres://), or set 'allow-ephemeral-state: true' for a throwaway stack.`,
    };
  }
  return { allowed: true, reason: 'state is kept outside the runner' };
}

export interface Plan {
  steps: Step[];
  /** Steps that run even when an earlier one failed: a smoke stack is always torn down. */
  always: readonly Step[];
  /** Why the command was refused, when it was; the steps then only show what it would have done. */
  refusal?: string;
  mayCreateStack: boolean;
  /** Whether to prepare the program's dependencies first. */
  needsDependencies: boolean;
  /** Whether the engine loads providers, so Pulumi's plugins are restored from the cache first. */
  needsPlugins: boolean;
  /** Whether to clear what an interrupted update left pending, when the engine reports some. */
  clearsPending: boolean;
}

/** The command's record, carried out for these settings; `approval` is the `require-approval` decision. */
export function planRun(settings: StackSettings, approval?: GateDecision): Plan {
  const record = STACK_COMMAND_RECORDS[settings.command];
  const gates = record.gates.map((gate) => GATES[gate](settings));
  const refusal = [...gates, ...(approval ? [approval] : [])].find((g) => !g.allowed)?.reason;
  return {
    steps: [
      ...(settings.refresh && !refusal ? (['refresh-first'] as const) : []),
      ...record.steps(settings, refusal !== undefined).flatMap((step) => (record.judgesDeletes && step === 'up' ? deletesSteps(settings) : [step])),
    ],
    always: refusal ? [] : record.always,
    refusal,
    mayCreateStack: record.mayCreateStack,
    needsDependencies: settings.installDependencies && record.runsProgram,
    needsPlugins: record.runsProgram,
    // A removed stack has nothing left to clear (only `destroy` takes `remove`).
    clearsPending: record.clearsPending && !settings.operation.remove,
  };
}

/**
 * The plan of a run that another pull request's lock refuses (plan/pr-lock.ts decides): nothing runs,
 * not even what a refused command shows otherwise, and the report says why.
 */
export function refusedByLock(plan: Plan, refusal: string): Plan {
  return { ...plan, steps: [], always: [], refusal, clearsPending: false };
}

const GATES: Record<Gate, (settings: StackSettings) => GateDecision> = {
  'destroy-approval': (s) => destroyGate(s.stack, s.destroyApproved, s.ephemeral),
  'state-loss': (s) => (s.allowEphemeralState || s.ephemeral ? { allowed: true, reason: 'a throwaway stack' } : stateLossGuard(s.backendUrl, s.runnerTemp)),
};
