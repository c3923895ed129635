// The change model: what an operation did or would do, built from the Automation API's engine
// events (never from CLI text), plus what the report needs around it. Pure: no I/O here.
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import type { LockReport } from './pr-lock.js';
import { COLOR_MARKUP } from './pulumi-formats.js';
import { propertyChanges, type PropertyChange } from './properties.js';

/** Engine step operations, as the engine names them. */
export type StepOp =
  'create' | 'update' | 'delete' | 'replace' | 'create-replacement' | 'delete-replaced' | 'read' | 'import' | 'same' | 'refresh' | 'discard' | 'remove-pending-replace' | (string & {});

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  op: StepOp;
  /** Names of the properties that differ (top-level keys or property paths). */
  diffs: string[];
  /** For a replacement, the properties whose change forces it (the engine's `keys`), when it says. */
  replaceCauses?: string[];
  /** Each changed property with its values before and after, for steps that have both states. */
  properties?: PropertyChange[];
  protected: boolean;
  /** Set when the engine reported this step failed. */
  failed?: boolean;
}

export interface PolicyViolation {
  policyPack: string;
  policy: string;
  /** The policy's enforcement level: `advisory` (what recorded events say), `mandatory`, `remediate`… */
  enforcement: 'advisory' | 'mandatory' | 'remediate' | 'warning' | (string & {});
  message: string;
  urn?: string;
}

export interface Diagnostic {
  severity: 'warning' | 'error';
  message: string;
  urn?: string;
}

/** Counts by the operations a reviewer cares about. */
export interface ChangeCounts {
  create: number;
  update: number;
  delete: number;
  replace: number;
  same: number;
  [op: string]: number;
}

export interface ChangeSummary {
  /** Resources in engine order, without the stack resource and default providers' 'same' noise. */
  resources: ResourceChange[];
  counts: ChangeCounts;
  diagnostics: Diagnostic[];
  policyViolations: PolicyViolation[];
  durationSeconds?: number;
  maybeCorrupt: boolean;
}

export interface OutputValue {
  value: unknown;
  secret: boolean;
}

/** A stack output's value as text: a string as it is, anything else as JSON. */
export function outputText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export type Result = 'succeeded' | 'failed' | 'no-changes' | 'refused' | 'cancelled' | 'drifted';

/** One step of a multi-step command (a smoke test's up, check and teardown), in the order run. */
export interface LifecycleStep {
  step: string;
  ok: boolean;
  detail?: string;
}

/** Whether one stack output is what a smoke test's `expect-outputs` asked for (checks.ts). */
export interface OutputCheck {
  key: string;
  expected: string;
  actual: string;
  passed: boolean;
}

/** Everything a renderer needs; built by the pipeline, rendered by pure functions. */
export interface Report {
  command: string;
  project: string;
  stack: string;
  /** Fully qualified stack name (org/project/stack). */
  stackRef: string;
  result: Result;
  changes: ChangeSummary;
  outputs: Record<string, OutputValue>;
  /** Pulumi's own error message when the operation failed or was refused. */
  error?: string;
  /** The last lines of the engine log, shown when the operation failed. */
  logTail?: string[];
  /** Link to the workflow run, when known. */
  runUrl?: string;
  /** The steps of a smoke test, when the command was one. */
  lifecycle?: LifecycleStep[];
  /** A smoke test's checks of the stack outputs against `expect-outputs`. */
  checks?: OutputCheck[];
  /** SHA-256 of the update plan a preview saved or an up applied. */
  planDigest?: string;
  /** Operations the engine left pending when it was interrupted (a cancelled run). */
  pendingOperations?: string[];
  /** Operations an earlier, interrupted update had left pending, and whether this run cleared them. */
  interruptedOperations?: { operations: string[]; cleared: boolean };
  /** For a command that looks for drift: whether it found some. */
  drifted?: boolean;
  /** The update's (or preview's) page in Pulumi Cloud's console, as the CLI links it. */
  updateUrl?: string;
  /** Which pull request holds the stack, for the commands that take or look at its lock. */
  lock?: LockReport;
}

export type { EngineEvent, PropertyChange };

type StepEventMetadata = NonNullable<EngineEvent['resourcePreEvent']>['metadata'];
type EngineDiagnostic = NonNullable<EngineEvent['diagnosticEvent']>;
type EnginePolicyEvent = NonNullable<EngineEvent['policyEvent']>;
type OpMap = NonNullable<EngineEvent['summaryEvent']>['resourceChanges'];

/** Steps the engine emits around a replacement; the resource is reported once, as `replace`. */
const REPLACEMENT_STEPS: ReadonlySet<string> = new Set(['replace', 'create-replacement', 'read-replacement', 'import-replacement']);

/**
 * Clean-up steps of a replacement. With a `replace` step they belong to it; alone (the engine
 * deleting a copy left pending by an earlier failed replacement) they are a deletion in their own right.
 */
const REPLACED_CLEANUP_STEPS: ReadonlySet<string> = new Set(['delete-replaced', 'discard-replaced']);

/** Operations that leave the infrastructure as it is (the engine's own notion of "no changes"). */
const NON_CHANGING_OPS: ReadonlySet<string> = new Set(['same', 'read', 'read-discard']);

/** The engine's closing "update failed" / "preview failed" error, which repeats what the other errors say. */
const GENERIC_FAILURE = /^(update|preview) failed$/;

const URN_DELIMITER = '::';

/**
 * When one URN sees several steps, the latest describes it (a `refresh` step is followed by its
 * result or by the update's own step), except that any step of a replacement makes it a replacement
 * and a clean-up deletion outweighs the unchanged current resource.
 */
function opRank(op: string): number {
  if (REPLACEMENT_STEPS.has(op)) return 2;
  return REPLACED_CLEANUP_STEPS.has(op) ? 1 : 0;
}

interface TrackedResource {
  change: ResourceChange;
  rank: number;
  diffs: Set<string>;
  causes: Set<string>;
  /** A step began (its pre event) and has not finished (no outputs or failure event yet). */
  unfinished: boolean;
  /** From the latest step that changed any property. */
  properties?: PropertyChange[];
}

/** The resource name: what follows the third `::` of the URN (a name may itself contain `::`). */
export function urnName(urn: string): string {
  let at = -URN_DELIMITER.length;
  for (let i = 0; i < 3; i++) {
    const next = urn.indexOf(URN_DELIMITER, at + URN_DELIMITER.length);
    if (next < 0) break;
    at = next;
  }
  return urn.slice(at + URN_DELIMITER.length);
}

function stripColor(message: string): string {
  return message.replace(COLOR_MARKUP, '').trim();
}

/** Property paths from the detailed diff when the provider gives one, else the top-level keys. */
function stepDiffs(metadata: StepEventMetadata): readonly string[] {
  const detailed = metadata.detailedDiff ? Object.keys(metadata.detailedDiff) : [];
  return detailed.length > 0 ? detailed : (metadata.diffs ?? []);
}

function trackStep(resources: Map<string, TrackedResource>, metadata: StepEventMetadata): TrackedResource {
  const rank = opRank(metadata.op);
  const state = metadata.new ?? metadata.old;
  let tracked = resources.get(metadata.urn);
  if (!tracked) {
    tracked = {
      change: { urn: metadata.urn, type: metadata.type, name: urnName(metadata.urn), op: metadata.op, diffs: [], protected: false },
      rank,
      diffs: new Set(),
      causes: new Set(),
      unfinished: false,
    };
    resources.set(metadata.urn, tracked);
  } else if (rank >= tracked.rank) {
    tracked.change.op = metadata.op;
    tracked.rank = rank;
  }
  if (state?.protect !== undefined) tracked.change.protected = state.protect;
  // Unchanged steps can have differing inputs the provider ignores (its own notion of a change rules).
  const properties = NON_CHANGING_OPS.has(metadata.op) || metadata.op === 'refresh' ? [] : propertyChanges(metadata);
  if (properties.length > 0) tracked.properties = properties;
  // The changed properties name what differs when the engine's own lists are empty (providers that
  // only say whether anything changed).
  const diffs = properties.length > 0 ? properties.map((p) => p.path) : stepDiffs(metadata);
  for (const diff of diffs) tracked.diffs.add(diff);
  // A replacement's steps name what forces it in `keys`, often with no `diffs` at all.
  if (REPLACEMENT_STEPS.has(metadata.op)) for (const key of metadata.keys ?? []) tracked.causes.add(key);
  return tracked;
}

function finishResource({ change, diffs, causes, properties }: TrackedResource): ResourceChange {
  const replaced = REPLACEMENT_STEPS.has(change.op);
  return {
    ...change,
    op: replaced ? 'replace' : change.op,
    diffs: [...diffs],
    ...(replaced && causes.size > 0 ? { replaceCauses: [...causes] } : {}),
    ...(properties ? { properties } : {}),
  };
}

/** Default providers are the engine's plumbing: its own summary leaves them out, and so do we. */
function isDefaultProvider(resource: ResourceChange): boolean {
  return resource.type.startsWith('pulumi:providers:') && resource.name.startsWith('default');
}

/** The stack resource and explicit providers are only worth listing when they change. */
function isListed(resource: ResourceChange): boolean {
  const plumbing = resource.type === 'pulumi:pulumi:Stack' || resource.type.startsWith('pulumi:providers:');
  return !(plumbing && resource.op === 'same');
}

function toDiagnostic(event: EngineDiagnostic): Diagnostic | undefined {
  if (event.ephemeral || (event.severity !== 'warning' && event.severity !== 'error')) return undefined;
  const message = stripColor(event.message);
  if (message === '') return undefined;
  return { severity: event.severity, message, ...(event.urn ? { urn: event.urn } : {}) };
}

/** Drops the generic closing error, unless it is the only error the engine gave. */
function withoutGenericFailure(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const isGeneric = (d: Diagnostic): boolean => d.severity === 'error' && GENERIC_FAILURE.test(d.message);
  const hasSpecificError = diagnostics.some((d) => d.severity === 'error' && !isGeneric(d));
  return hasSpecificError ? diagnostics.filter((d) => !isGeneric(d)) : [...diagnostics];
}

function toPolicyViolation(event: EnginePolicyEvent): PolicyViolation {
  return {
    policyPack: event.policyPackName,
    policy: event.policyName,
    enforcement: event.enforcementLevel,
    message: stripColor(event.message),
    ...(event.resourceUrn ? { urn: event.resourceUrn } : {}),
  };
}

function emptyCounts(): ChangeCounts {
  return { create: 0, update: 0, delete: 0, replace: 0, same: 0 };
}

function isReplacementHelper(op: string): boolean {
  return op !== 'replace' && (REPLACEMENT_STEPS.has(op) || REPLACED_CLEANUP_STEPS.has(op));
}

/** The summary counts logical steps only; a replacement's helper steps are left out should they appear. */
function countsFromOpMap(opMap: OpMap): ChangeCounts {
  const counts = emptyCounts();
  for (const [op, count] of Object.entries(opMap)) {
    if (count && !isReplacementHelper(op)) counts[op] = (counts[op] ?? 0) + count;
  }
  return counts;
}

/** Counts every resource but default providers, as the engine's summary does. */
function countsFromResources(resources: readonly ResourceChange[]): ChangeCounts {
  const counts = emptyCounts();
  for (const { op } of resources) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}

/**
 * A step the engine refused before running it (deleting a protected resource) gets no failure
 * event: only its pre event and an error naming the resource. It failed all the same.
 */
function markRefusedSteps(resources: ReadonlyMap<string, TrackedResource>, diagnostics: readonly Diagnostic[]): void {
  for (const { severity, urn } of diagnostics) {
    const tracked = urn !== undefined && severity === 'error' ? resources.get(urn) : undefined;
    if (tracked?.unfinished) tracked.change.failed = true;
  }
}

/** Builds the change model from an operation's engine events, in the order the engine emitted them. */
export function changeSummaryFromEvents(events: Iterable<EngineEvent>): ChangeSummary {
  const resources = new Map<string, TrackedResource>();
  const diagnostics: Diagnostic[] = [];
  const policyViolations: PolicyViolation[] = [];
  let summary: EngineEvent['summaryEvent'];
  for (const event of events) {
    if (event.resourcePreEvent) trackStep(resources, event.resourcePreEvent.metadata).unfinished = true;
    else if (event.resOutputsEvent) trackStep(resources, event.resOutputsEvent.metadata).unfinished = false;
    else if (event.resOpFailedEvent) {
      const tracked = trackStep(resources, event.resOpFailedEvent.metadata);
      tracked.change.failed = true;
      tracked.unfinished = false;
    } else if (event.diagnosticEvent) {
      const diagnostic = toDiagnostic(event.diagnosticEvent);
      if (diagnostic) diagnostics.push(diagnostic);
    } else if (event.policyEvent) policyViolations.push(toPolicyViolation(event.policyEvent));
    else if (event.summaryEvent) summary = event.summaryEvent;
  }
  markRefusedSteps(resources, diagnostics);
  const all = Array.from(resources.values(), finishResource).filter((r) => !isDefaultProvider(r));
  return {
    resources: all.filter(isListed),
    counts: summary?.resourceChanges ? countsFromOpMap(summary.resourceChanges) : countsFromResources(all),
    diagnostics: withoutGenericFailure(diagnostics),
    policyViolations,
    ...(summary ? { durationSeconds: summary.durationSeconds } : {}),
    maybeCorrupt: summary?.maybeCorrupt ?? false,
  };
}

/** True when any operation would alter infrastructure (reads and unchanged resources do not). */
export function hasChanges(counts: ChangeCounts): boolean {
  return Object.entries(counts).some(([op, count]) => count > 0 && !NON_CHANGING_OPS.has(op));
}

/** Operations that remove a cloud resource (a replacement deletes the old one). */
const DESTRUCTIVE_OPS: ReadonlySet<string> = new Set(['delete', 'replace', 'delete-replaced']);

export function isDestructive(op: StepOp): boolean {
  return DESTRUCTIVE_OPS.has(op);
}

/** How many resources the changes delete or replace: what a reviewer must not miss. */
export function destructiveCount(counts: ChangeCounts): number {
  return Object.entries(counts).reduce((sum, [op, count]) => sum + (isDestructive(op) ? count : 0), 0);
}

export function resultOf(summary: ChangeSummary, failed: boolean): Result {
  if (failed) return 'failed';
  return hasChanges(summary.counts) ? 'succeeded' : 'no-changes';
}
