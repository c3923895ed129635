// The destroy and deletes decisions, in one place: whether a `destroy` may run (the destroy gate),
// whether an `up` must first show its update plan to the deletes gate (`deletes-need-approval`) and
// what that gate decides of the plan, and what a refused run says it would have deleted. The plan
// stage decides with these; operation/steps.ts carries out the gate's steps and asks deletesGate.
import type { GateDecision, Step } from '../model/commands.js';
import type { StackSettings } from '../model/settings.js';

/** Deletes that need an approval the run lacks: the plan the update will apply is judged for them first. */
function deletesNeedCheck(settings: StackSettings): boolean {
  return settings.deletesNeedApproval && !settings.destroyApproved && !settings.ephemeral;
}

/**
 * The steps of an `up`. Held to `deletes-need-approval`, the gate judges the update plan the update
 * then applies: the reviewed one `plan` names, or one its own preview saves, so the update can do
 * nothing the gate did not see (a program that declares other resources outside previews, another
 * run changing the stack in between).
 */
export function deletesSteps(settings: StackSettings): Step[] {
  if (!deletesNeedCheck(settings)) return ['up'];
  return settings.planFile ? ['deletes-plan-check', 'up'] : ['deletes-preview', 'up-as-previewed'];
}

/**
 * `destroy` needs a human: `PULUMI_DESTROY_APPROVED=true` (typically set by a protected
 * environment), or a stack whose name matches one of the `ephemeral-stacks` patterns (`ephemeral`,
 * which the inputs stage decides once).
 */
export function destroyGate(stack: string, approved: boolean, ephemeral: boolean): GateDecision {
  if (approved) return { allowed: true, reason: 'approved' };
  if (ephemeral) return { allowed: true, reason: 'ephemeral' };
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
const REPLACING_STEPS: ReadonlySet<string> = new Set(['replace', 'create-replacement', 'delete-replaced', 'read-replacement', 'import-replacement', 'discard-replaced', 'remove-pending-replace']);

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
export type DeletesEvidence = { source: 'preview'; plan: UpdatePlanReading; complete: boolean } | { source: 'plan-file'; file: string; plan: UpdatePlanReading };

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
  const named = (resources: readonly PlannedResource[]) => resources.map((r) => urnTypeAndName(r.urn));
  return { allowed: false, reason: [reason, wouldDo('delete', named(deleted)), wouldDo('replace', named(replaced))].filter(Boolean).join(' ') };
}

const LISTED_RESOURCES = 20;

/** `It would delete 2 resource(s): <type> <name>, …`: what a refused run would have deleted or replaced. */
export function wouldDo(op: 'delete' | 'replace', resources: readonly string[]): string {
  if (resources.length === 0) return '';
  const names = resources.slice(0, LISTED_RESOURCES);
  const more = resources.length > names.length ? `, and ${resources.length - names.length} more` : '';
  return `It would ${op} ${resources.length} resource(s): ${names.join(', ')}${more}.`;
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` as `<type> <name>` (a name may itself hold `::`). */
function urnTypeAndName(urn: string): string {
  const [, , qualifiedType, ...name] = urn.split('::');
  if (qualifiedType === undefined || name.length === 0) return urn;
  return `${qualifiedType.split('$').at(-1)} ${name.join('::')}`;
}
