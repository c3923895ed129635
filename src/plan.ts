// Stage 2: decides what will run. Every gate (destroy approval, environment approval, state-loss
// guard) lives here and nowhere else; the pipeline only carries out the plan.
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { StackSettings } from './inputs.js';

export type GateDecision = { allowed: true; reason: string } | { allowed: false; reason: string };

/**
 * `destroy` needs a human: `PULUMI_DESTROY_APPROVED=true` (typically set by a protected
 * environment), or a stack whose name matches one of the `ephemeral-stacks` patterns.
 */
export function destroyGate(stack: string, approved: boolean, ephemeralPatterns: readonly string[]): GateDecision {
  if (approved) return { allowed: true, reason: 'approved' };
  if (isEphemeral(stack, ephemeralPatterns)) return { allowed: true, reason: 'ephemeral' };
  return {
    allowed: false,
    reason:
      `Destroying stack '${stack}' needs approval: set the environment variable PULUMI_DESTROY_APPROVED to "true" ` +
      `in a job bound to a protected environment, or list the stack in 'ephemeral-stacks' if it is a throwaway stack.`,
  };
}

/**
 * With `deletes-need-approval`, an `up` of a lasting stack that would delete or replace anything
 * needs the destroy gate's approval. A preview decides: `doomed` counts what it would delete or replace.
 */
export function deletesGate(stack: string, doomed: number): GateDecision {
  if (doomed === 0) return { allowed: true, reason: 'the update deletes and replaces nothing' };
  return {
    allowed: false,
    reason:
      `The update of stack '${stack}' would delete or replace resources, and 'deletes-need-approval' is set: approve it as a destroy ` +
      `(PULUMI_DESTROY_APPROVED="true" in a job bound to a protected environment), or change the program so it keeps them.`,
  };
}

/** Ephemeral patterns are globs over the short stack name; dots are ordinary characters. */
export function isEphemeral(stack: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && picomatch(patterns as string[], { dot: true, nonegate: true })(stack);
}

/** Names with nothing in common: a pattern that matches them all matches any stack. */
const UNRELATED_NAMES = ['prod', 'x', '0', 'Zq_9.b-c'];

/**
 * A pattern that would make every stack ephemeral (`*`, `**`, `?*`, `{*,pr-*}`, `!(prod)`), and so
 * open the destroy gate for production: one with no literal part (what a negation names does not
 * count), or one that matches unrelated names.
 */
export function matchesEveryStack(pattern: string): boolean {
  const literal = pattern.replace(/!\([^)]*\)/g, '').replace(/\[[^\]]*\]|[*?{}(),|!+@]/g, '');
  return literal === '' || UNRELATED_NAMES.every((name) => isEphemeral(name, [pattern]));
}

/** One review of this workflow run, as GitHub's run approvals API reports it. */
export interface RunApproval {
  state: 'approved' | 'rejected' | (string & {});
  user: string;
  environments: string[];
}

/**
 * `require-approval: <environment>`: this run must have been approved for that environment by
 * someone other than whoever triggered it. A rejection anywhere for it refuses outright.
 */
/**
 * `actors`: who started the run (GITHUB_ACTOR) and who triggered this attempt of it
 * (GITHUB_TRIGGERING_ACTOR, another person on a re-run): neither counts as someone else.
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

/** A step of the operation stage; each maps to one Automation API call (or, for `check-outputs`, a check). */
export type Step =
  | 'refresh-first'
  | 'preview'
  | 'deletes-preview'
  | 'up'
  | 'refresh'
  | 'destroy'
  | 'destroy-preview'
  | 'output'
  | 'drift'
  | 'check-outputs'
  | 'destroy-and-remove'
  | 'clear-pending';

export interface Plan {
  steps: Step[];
  /** Steps that run even when an earlier one failed: a smoke stack is always torn down. */
  always: Step[];
  /** Why the command was refused, when it was; the steps then only show what it would have done. */
  refusal?: string;
  /** Only `preview`, `up` and `smoke` may create the stack: anything else on a mistyped name fails. */
  mayCreateStack: boolean;
  /** Whether to prepare the program's dependencies first. */
  needsDependencies: boolean;
}

export interface PlanContext {
  /** The environment-approval decision, when `require-approval` is set. */
  approval?: GateDecision;
  /** The backend in effect (input or PULUMI_BACKEND_URL). */
  backendUrl?: string;
  runnerTemp?: string;
}

export function planRun(settings: StackSettings, context: PlanContext = {}): Plan {
  const { command } = settings;
  const refusal = refusalOf(settings, context);
  const refreshFirst = settings.refresh && !refusal ? (['refresh-first'] as const) : [];
  const base = {
    always: [] as Step[],
    refusal,
    mayCreateStack: command === 'preview' || command === 'up' || command === 'smoke',
    // Reading outputs starts neither the program nor a provider; every other command may.
    needsDependencies: settings.installDependencies && command !== 'output',
  };
  switch (command) {
    case 'destroy':
      return { ...base, steps: refusal ? ['destroy-preview'] : [...refreshFirst, 'destroy'] };
    case 'up': {
      const gated = settings.deletesNeedApproval && !settings.destroyApproved && !isEphemeral(settings.stack, settings.ephemeralStacks);
      return { ...base, steps: refusal ? [] : [...refreshFirst, ...(gated ? (['deletes-preview'] as const) : []), 'up'] };
    }
    case 'smoke':
      return { ...base, steps: refusal ? [] : [...refreshFirst, 'up', 'check-outputs'], always: refusal ? [] : ['destroy-and-remove'] };
    case 'preview':
      return { ...base, steps: [...refreshFirst, 'preview'] };
    case 'refresh':
    case 'output':
    case 'drift':
      return { ...base, steps: [command] };
  }
}

function refusalOf(settings: StackSettings, context: PlanContext): string | undefined {
  const gates: GateDecision[] = [];
  if (settings.command === 'destroy') gates.push(destroyGate(settings.stack, settings.destroyApproved, settings.ephemeralStacks));
  if (context.approval) gates.push(context.approval);
  if (settings.command === 'up' && !settings.allowEphemeralState && !isEphemeral(settings.stack, settings.ephemeralStacks)) {
    gates.push(stateLossGuard(context.backendUrl, context.runnerTemp));
  }
  return gates.find((g) => !g.allowed)?.reason;
}

/** An ephemeral stack as `cleanup` sees it: its name and the tags `smoke` gave it. */
export interface TaggedStack {
  name: string;
  tags: Record<string, string>;
}

/** Tags that `smoke` sets on its stacks, and `cleanup` reads. */
export const EPHEMERAL_TAGS = {
  marker: 'ephemeral',
  pullRequest: 'ephemeral:pull-request',
  commit: 'ephemeral:commit',
  created: 'ephemeral:created',
  expires: 'ephemeral:expires',
} as const;

/**
 * Which ephemeral stacks `cleanup` removes: tagged `ephemeral=true`, matching `ephemeral-stacks`,
 * and either past their expiry or belonging to the closed pull request.
 */
export function cleanupCandidates(
  stacks: readonly TaggedStack[],
  patterns: readonly string[],
  now: Date,
  closedPullRequest: number | undefined,
): { name: string; why: string }[] {
  return stacks.flatMap((stack) => {
    if (stack.tags[EPHEMERAL_TAGS.marker] !== 'true' || !isEphemeral(stack.name, patterns)) return [];
    const expires = Date.parse(stack.tags[EPHEMERAL_TAGS.expires] ?? '');
    if (Number.isFinite(expires) && expires <= now.getTime()) return [{ name: stack.name, why: `expired ${new Date(expires).toISOString()}` }];
    const pr = stack.tags[EPHEMERAL_TAGS.pullRequest];
    if (closedPullRequest !== undefined && pr === String(closedPullRequest)) return [{ name: stack.name, why: `pull request #${pr} is closed` }];
    return [];
  });
}
