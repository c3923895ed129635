// Stage 2: decides what will run. Every gate (destroy approval, environment approval, state-loss
// guard) lives here and nowhere else; the pipeline only carries out the plan.
import * as path from 'node:path';
import { STACK_COMMAND_RECORDS, type Gate, type Step } from '../model/commands.js';
import { isEphemeral } from '../model/ephemeral.js';
import type { StackSettings } from '../model/settings.js';
import type { RunApproval } from '../workspace/github.js';

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

/** What an update plan lets the update do, read from the file Pulumi writes; unreadable when the gate cannot be sure of it. */
export type UpdatePlanReading = { readable: true; resources: PlannedResource[] } | { readable: false; why: string };

/** One resource of an update plan: the steps the engine allows the update to take on it, in order. */
export interface PlannedResource {
  urn: string;
  steps: string[];
}

/** Steps that leave every existing resource standing: a read or a discard only changes what the state records. */
const KEEPING_STEPS: ReadonlySet<string> = new Set(['same', 'create', 'update', 'read', 'refresh', 'import', 'discard']);
/** Steps of a replacement: the resource is deleted and made anew (or its record is), in some order. */
const REPLACING_STEPS: ReadonlySet<string> = new Set([
  'replace',
  'create-replacement',
  'delete-replaced',
  'read-replacement',
  'import-replacement',
  'discard-replaced',
  'remove-pending-replace',
]);

/**
 * An update plan file's text as Pulumi writes it (`pulumi preview --save-plan`: apitype's
 * DeploymentPlanV1, whose `resourcePlans` maps each URN to a ResourcePlanV1 with its `steps`). A
 * preview always plans the stack's own resource, so a plan without `resourcePlans` is no plan; and a
 * step this action does not know might delete, so it makes the plan unreadable too.
 */
export function readUpdatePlan(text: string): UpdatePlanReading {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    return { readable: false, why: 'it is not JSON' };
  }
  const resourcePlans = isRecord(plan) ? plan.resourcePlans : undefined;
  if (!isRecord(resourcePlans) || Object.keys(resourcePlans).length === 0) return { readable: false, why: 'it has no resource plans' };
  const resources: PlannedResource[] = [];
  for (const [urn, resourcePlan] of Object.entries(resourcePlans)) {
    const steps = isRecord(resourcePlan) ? (resourcePlan.steps ?? []) : undefined;
    if (!Array.isArray(steps) || !steps.every((step) => typeof step === 'string')) return { readable: false, why: `the plan of ${urn} has no list of steps` };
    const unknown = steps.find((step) => !KEEPING_STEPS.has(step) && !REPLACING_STEPS.has(step) && step !== 'delete');
    if (unknown !== undefined) return { readable: false, why: `it plans the step '${unknown}' for ${urn}, which this action does not know` };
    resources.push({ urn, steps });
  }
  return { readable: true, resources };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What the `deletes-need-approval` gate judges: the update plan the update will apply, either the
 * one the gate's own preview saved (with whether that preview's events ran to their summary) or the
 * reviewed plan the `plan` input names.
 */
export type DeletesEvidence =
  | { source: 'preview'; plan: UpdatePlanReading; complete: boolean }
  | { source: 'plan-file'; file: string; plan: UpdatePlanReading };

const APPROVE_AS_DESTROY = 'approve it as a destroy (PULUMI_DESTROY_APPROVED="true" in a job bound to a protected environment)';

/**
 * With `deletes-need-approval`, an `up` of a lasting stack that would delete or replace anything
 * needs the destroy gate's approval. The update applies exactly the plan judged here (Pulumi refuses
 * any step outside it), so the plan decides; a plan that cannot be read, or a preview that stopped
 * before its summary, refuses: the gate opens only when it is sure.
 */
export function deletesGate(stack: string, evidence: DeletesEvidence): GateDecision {
  const { plan } = evidence;
  const what = evidence.source === 'preview' ? `The preview of stack '${stack}'` : `The plan ${evidence.file} of stack '${stack}'`;
  const retry = evidence.source === 'preview' ? 'run it again' : "save it again with 'command: preview' and 'plan'";
  if (!plan.readable) {
    return {
      allowed: false,
      reason: `${what} left an update plan that cannot be read (${plan.why}), so what the update would delete is unknown, and 'deletes-need-approval' is set: ${retry}, or ${APPROVE_AS_DESTROY}.`,
    };
  }
  if (evidence.source === 'preview' && !evidence.complete) {
    return {
      allowed: false,
      reason: `${what} ended without its summary, so what the update would delete is unknown, and 'deletes-need-approval' is set: ${retry}, or ${APPROVE_AS_DESTROY}.`,
    };
  }
  const deleted = plan.resources.filter((r) => r.steps.includes('delete') && !r.steps.some((step) => REPLACING_STEPS.has(step)));
  const replaced = plan.resources.filter((r) => r.steps.some((step) => REPLACING_STEPS.has(step)));
  if (deleted.length + replaced.length === 0) return { allowed: true, reason: 'the update deletes and replaces nothing' };
  const reason =
    evidence.source === 'preview'
      ? `The update of stack '${stack}' would delete or replace resources, and 'deletes-need-approval' is set: ${APPROVE_AS_DESTROY}, or change the program so it keeps them.`
      : `${what} would delete or replace resources, and 'deletes-need-approval' is set: ${APPROVE_AS_DESTROY}, or change the program so it keeps them.`;
  // The preview's events list the resources in the report; a reviewed plan has no events, so it lists them itself.
  if (evidence.source === 'preview') return { allowed: false, reason };
  return { allowed: false, reason: [reason, listed('delete', deleted), listed('replace', replaced)].filter(Boolean).join(' ') };
}

const LISTED_RESOURCES = 20;

/** `It would delete 2 resource(s): <type> <name>, …`, as the report lists a preview's. */
function listed(op: 'delete' | 'replace', resources: readonly PlannedResource[]): string {
  if (resources.length === 0) return '';
  const names = resources.slice(0, LISTED_RESOURCES).map((r) => urnTypeAndName(r.urn));
  const more = resources.length > names.length ? `, and ${resources.length - names.length} more` : '';
  return `It would ${op} ${resources.length} resource(s): ${names.join(', ')}${more}.`;
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` as `<type> <name>` (a name may itself hold `::`). */
function urnTypeAndName(urn: string): string {
  const [, , qualifiedType, ...name] = urn.split('::');
  if (qualifiedType === undefined || name.length === 0) return urn;
  return `${qualifiedType.split('$').at(-1)} ${name.join('::')}`;
}

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
    steps: [...(settings.refresh && !refusal ? (['refresh-first'] as const) : []), ...record.steps(settings, refusal !== undefined)],
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
 * The plan of a run that another pull request's lock refuses (pr-lock.ts decides): nothing runs,
 * not even what a refused command shows otherwise, and the report says why.
 */
export function refusedByLock(plan: Plan, refusal: string): Plan {
  return { ...plan, steps: [], always: [], refusal, clearsPending: false };
}

const GATES: Record<Gate, (settings: StackSettings) => GateDecision> = {
  'destroy-approval': (s) => destroyGate(s.stack, s.destroyApproved, s.ephemeralStacks),
  'state-loss': (s) => (s.allowEphemeralState || s.ephemeral ? { allowed: true, reason: 'a throwaway stack' } : stateLossGuard(s.backendUrl, s.runnerTemp)),
};
