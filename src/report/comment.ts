// The sticky PR comment, and the report sections it shares with the job summary. Reviewers read it
// top down: outcome, counts, then anything destructive before the details, which fold away.
import {
  clip,
  code,
  codeBlock,
  countChars,
  DETAILS_CLOSE,
  detailsOpen,
  escapeText,
  fenceFor,
  normalizeNewlines,
  renderWithin,
  tableHeader,
  tableRow,
  type Block,
  type ListDetail,
  type ShrinkableList,
} from '../base/markdown.js';
import { commentMarker } from '../workspace/github-comment.js';
import {
  isDestructive,
  urnName,
  type ChangeCounts,
  type ChangeSummary,
  type Diagnostic,
  type LifecycleStep,
  type OutputCheck,
  type OutputValue,
  type PolicyViolation,
  type Report,
  type ResourceChange,
  type Result,
} from '../model/changes.js';
import { lockLine } from '../plan/pr-lock.js';
import { formatValue, type PropertyChange } from '../model/properties.js';
import { isSecret, SECRET_PLACEHOLDER } from '../model/pulumi-formats.js';

/** GitHub rejects comment bodies longer than this many characters. */
export const COMMENT_MAX_LENGTH = 65_536;

/** Renderers take a report whose secrets are masked already (redact.ts). */
export interface CommentOptions {
  maxLength?: number;
}

export interface ReportLayout {
  /** The job summary is on the run page already; only the comment links to it. */
  runLink: boolean;
}

// One oversized value should not crowd out everything else, so single items are clipped.
const MAX_OUTPUT_CHARS = 1_000;
const MAX_POLICY_MESSAGE_CHARS = 2_000;
const MAX_DIAGNOSTIC_CHARS = 8_000;
const MAX_ERROR_CHARS = 10_000;
const MAX_LOG_LINE_CHARS = 2_000;
const MAX_PROPERTIES_PER_RESOURCE = 20;
const MAX_VALUE_CHARS = 100;
const MAX_PENDING_SHOWN = 50;

const SECRET_VALUE = `\`${SECRET_PLACEHOLDER}\``;

const OP_TITLES: Readonly<Record<string, string>> = {
  create: '➕ Create',
  update: '🔄 Update',
  replace: '🔁 Replace',
  delete: '🗑️ Delete',
  'delete-replaced': '🗑️ Delete replaced',
  read: '📖 Read',
  import: '📥 Import',
  refresh: '🔃 Refresh',
  discard: '🧹 Discard',
  same: '⚪ Unchanged',
};

/** The order reviewers expect; any other operation follows, as first seen. */
const PRIMARY_OPS: readonly string[] = ['create', 'update', 'replace', 'delete'];

/**
 * Whose property values the size budget leaves out first: the least important resources'. Only
 * steps with a state before and after have values (deletions and unchanged resources have none),
 * so it comes down to updates (and the like) before replacements.
 */
const detailImportance = (op: string): number => (op === 'replace' ? 1 : 0);

const RESULT_HEADINGS: Readonly<Record<Result, { emoji: string; outcome: string }>> = {
  succeeded: { emoji: '✅', outcome: 'succeeded' },
  failed: { emoji: '❌', outcome: 'failed' },
  'no-changes': { emoji: '⚪', outcome: 'found no changes' },
  refused: { emoji: '🛑', outcome: 'was refused' },
  cancelled: { emoji: '⏹️', outcome: 'was cancelled' },
  drifted: { emoji: '🌊', outcome: 'found drift' },
};

// Lower ranks are shortened first when the report is too long.
const SHRINK_RANK = { resources: 1, outputs: 2, diagnostics: 3, logTail: 4, policy: 5, deletions: 6 } as const;

export function renderComment(report: Report, options: CommentOptions = {}): string {
  const marker = commentMarker(report.project, report.stack, report.command);
  const blocks = [marker, ...reportBlocks(report, { runLink: true })];
  return renderWithin(blocks, options.maxLength ?? COMMENT_MAX_LENGTH, countChars);
}

/** The report as blocks in reading order; shared by the comment and the job summary. */
export function reportBlocks(report: Report, layout: ReportLayout): Block[] {
  const { changes } = report;
  const blocks: (Block | undefined)[] = [
    renderHeading(report),
    report.lock ? lockLine(report.lock) : undefined,
    changes.maybeCorrupt ? renderCorruptionCaution() : undefined,
    renderPendingOperations(report.pendingOperations ?? [], 'The interrupted update left'),
    renderInterruptedOperations(report.interruptedOperations),
    renderLifecycle(report.lifecycle ?? []),
    renderChecks(report.checks ?? []),
    renderCountTable(changes.counts),
    report.planDigest ? `Update plan SHA-256: ${code(report.planDigest)}` : undefined,
    renderDeletions(changes),
    report.error !== undefined ? renderError(report.error) : undefined,
    renderPolicyViolations(changes.policyViolations),
    renderDiagnostics(changes.diagnostics),
    renderResourceList(changes.resources),
    renderOutputs(report.outputs),
    report.result === 'failed' || report.result === 'cancelled' ? renderLogTail(report.logTail ?? []) : undefined,
    layout.runLink ? renderRunLink(report.runUrl) : undefined,
  ];
  return blocks.filter((block) => block !== undefined);
}

export function renderHeading(report: Report): string {
  const { emoji, outcome } = RESULT_HEADINGS[report.result];
  const facts = [`Project ${code(report.project)}`, `Stack ${code(report.stack)}`];
  if (report.changes.durationSeconds !== undefined) facts.push(`Duration ${formatDuration(report.changes.durationSeconds)}`);
  const href = report.updateUrl !== undefined ? safeHref(report.updateUrl) : undefined;
  // The stack's name links the update's (or preview's) page in Pulumi Cloud, where there is one.
  const stack = href ? `[${code(report.stackRef)}](${href})` : code(report.stackRef);
  return `## ${emoji} ${code(`pulumi ${report.command}`)} ${outcome} on ${stack}\n\n${facts.join(' · ')}`;
}

function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m ${whole % 60}s`;
}

export function renderCorruptionCaution(): string {
  return '> [!CAUTION]\n> The engine reports that some resources may be in an invalid state. Check the stack before the next update.';
}

/** What an interrupted update left half-done: the next run, or a person, has to look at these. */
export function renderPendingOperations(pending: readonly string[], intro: string, after = ''): string | undefined {
  if (pending.length === 0) return undefined;
  const items = pending.slice(0, MAX_PENDING_SHOWN).map((op) => `> - ${escapeText(op)}`);
  const more = pending.length > MAX_PENDING_SHOWN ? [`> - … and ${pending.length - MAX_PENDING_SHOWN} more`] : [];
  return ['> [!CAUTION]', `> ${intro} ${countOf(pending.length, 'operation')} pending${after}; check these resources:`, ...items, ...more].join('\n');
}

/** What an earlier update, interrupted, had left pending: cleared by this run, or still there. */
function renderInterruptedOperations(interrupted: Report['interruptedOperations']): string | undefined {
  if (!interrupted) return undefined;
  const after = interrupted.cleared
    ? ', which this run cleared (`pulumi refresh --clear-pending-creates`): a pending create may have made a resource the state does not know'
    : ', still in the state (an `up`, `refresh` or `destroy` of this action clears them)';
  return renderPendingOperations(interrupted.operations, 'An earlier update was interrupted and left', after);
}

/** A smoke test's steps, each with its outcome, so the comment shows the whole life of the stack. */
export function renderLifecycle(lifecycle: readonly LifecycleStep[]): string | undefined {
  if (lifecycle.length === 0) return undefined;
  const rows = lifecycle.map((l) => tableRow([l.ok ? '✅' : '❌', code(l.step), l.detail ? escapeText(clip(l.detail, MAX_OUTPUT_CHARS)) : '']));
  return [tableHeader(['', 'Step', 'Detail']), ...rows].join('\n');
}

export function renderChecks(checks: readonly OutputCheck[]): string | undefined {
  if (checks.length === 0) return undefined;
  const rows = checks.map((c) => tableRow([c.passed ? '✅' : '❌', code(c.key), code(clip(c.expected, MAX_OUTPUT_CHARS)), code(clip(c.actual, MAX_OUTPUT_CHARS))]));
  return ['### Output checks', '', tableHeader(['', 'Output', 'Expected', 'Actual']), ...rows].join('\n');
}

export function renderCountTable(counts: ChangeCounts): string {
  const rows = orderOps(Object.keys(counts).filter((op) => op !== 'same' && counts[op]! > 0));
  if (counts.same > 0) rows.push('same');
  if (rows.length === 0) return '*No resources.*';
  return [tableHeader(['Operation', 'Count']), ...rows.map((op) => tableRow([opTitle(op), String(counts[op])]))].join('\n');
}

/** Deletions and replacements come first and stay longest: they are what a reviewer must not miss. */
export function renderDeletions(changes: ChangeSummary): ShrinkableList | undefined {
  const destructive = changes.resources.filter((resource) => isDestructive(resource.op));
  const { delete: deletions, replace: replacements } = changes.counts;
  if (destructive.length === 0 && deletions + replacements === 0) return undefined;
  const amounts = nonZeroCounts([
    [deletions, 'deletion'],
    [replacements, 'replacement'],
  ]);
  const summary = amounts.length > 0 ? amounts.join(' and ') : countOf(destructive.length, 'deletion');
  return {
    head: `> [!WARNING]\n> **Destructive changes:** ${summary}.`,
    // A blank line, so the list does not continue the alert.
    open: '',
    entries: destructive.map((resource) => resourceItem(resource, true)),
    leftOut: (count) => leftOutNote(count, 'deletion or replacement', 'deletions and replacements'),
    keep: 'first',
    shrinkRank: SHRINK_RANK.deletions,
  };
}

export function renderError(error: string): string {
  return `### Error\n\n${codeBlock(clip(error, MAX_ERROR_CHARS))}`;
}

export function renderPolicyViolations(violations: readonly PolicyViolation[]): ShrinkableList | undefined {
  if (violations.length === 0) return undefined;
  // Mandatory violations block the operation, so they are the last to be left out.
  const ordered = [...violations].sort((a, b) => Number(b.enforcement === 'mandatory') - Number(a.enforcement === 'mandatory'));
  return {
    head: '### Policy violations',
    open: `\n${tableHeader(['Enforcement', 'Policy', 'Resource', 'Message'])}`,
    entries: ordered.map(policyRow),
    leftOut: (count) => leftOutNote(count, 'policy violation'),
    keep: 'first',
    shrinkRank: SHRINK_RANK.policy,
  };
}

function policyRow(violation: PolicyViolation): string {
  const enforcement = `${violation.enforcement === 'mandatory' ? '🚫' : '⚠️'} ${escapeText(violation.enforcement)}`;
  return tableRow([
    enforcement,
    `${code(violation.policyPack)} / ${code(violation.policy)}`,
    violation.urn ? code(urnName(violation.urn)) : '—',
    escapeText(clip(violation.message, MAX_POLICY_MESSAGE_CHARS)),
  ]);
}

/** Errors first, so warnings are left out before them; folded away when there are only warnings. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[]): ShrinkableList | undefined {
  if (diagnostics.length === 0) return undefined;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const tally = nonZeroCounts([
    [errors.length, 'error'],
    [warnings.length, 'warning'],
  ]);
  return {
    head: detailsOpen(`Diagnostics: ${tally.join(', ')}`, errors.length > 0),
    entries: [...errors, ...warnings].map(diagnosticEntry),
    tail: DETAILS_CLOSE,
    leftOut: (count) => leftOutNote(count, 'diagnostic'),
    keep: 'first',
    shrinkRank: SHRINK_RANK.diagnostics,
  };
}

function diagnosticEntry(diagnostic: Diagnostic): string {
  const label = diagnostic.severity === 'error' ? '❌ **error**' : '⚠️ **warning**';
  const subject = diagnostic.urn ? ` · ${code(urnName(diagnostic.urn))}` : '';
  return `\n${label}${subject}\n\n${codeBlock(clip(diagnostic.message, MAX_DIAGNOSTIC_CHARS))}`;
}

/** Every changed resource, grouped by operation; unchanged ones are only counted. */
export function renderResourceList(resources: readonly ResourceChange[]): ShrinkableList | undefined {
  const changed = resources.filter((resource) => resource.op !== 'same' || resource.failed);
  if (changed.length === 0) return undefined;
  const entries: string[] = [];
  const details: (ListDetail & { importance: number })[] = [];
  for (const [op, group] of groupByOp(changed)) {
    // The group heading travels with its first item, so shortening never leaves a heading alone.
    group.forEach((resource, i) => {
      const heading = i === 0 ? `\n#### ${opTitle(op)} (${group.length})\n\n` : '';
      if (resource.properties && resource.properties.length > 0) {
        details.push({ entry: entries.length, text: `${heading}${resourceWithProperties(resource, resource.properties)}`, importance: detailImportance(op) });
      }
      entries.push(`${heading}${resourceItem(resource, false)}`);
    });
  }
  // Least important first, and within one importance from the end of the list up.
  details.sort((a, b) => a.importance - b.importance || b.entry - a.entry);
  return {
    head: detailsOpen(`Resource changes (${changed.length})`),
    entries,
    details: details.map(({ entry, text }) => ({ entry, text })),
    tail: DETAILS_CLOSE,
    leftOut: (count) => leftOutNote(count, 'resource'),
    keep: 'first',
    shrinkRank: SHRINK_RANK.resources,
  };
}

function groupByOp(resources: readonly ResourceChange[]): [string, ResourceChange[]][] {
  const groups = new Map<string, ResourceChange[]>();
  for (const resource of resources) {
    const group = groups.get(resource.op);
    if (group) group.push(resource);
    else groups.set(resource.op, [resource]);
  }
  const order = orderOps([...groups.keys()]);
  return order.map((op) => [op, groups.get(op) ?? []]);
}

function resourceItem(resource: ResourceChange, withOp: boolean, withChangedNames = true): string {
  const parts = [`${withOp ? `${opTitle(resource.op)} ` : ''}${code(resource.name)}`, code(resource.type)];
  if (resource.protected) parts.push('🔒 protected');
  if (resource.failed) parts.push('❌ failed');
  if (resource.replaceCauses) parts.push(`replaced because ${propertyList(resource.replaceCauses)} changed`);
  const otherDiffs = resource.diffs.filter((d) => !resource.replaceCauses?.includes(d));
  if (withChangedNames && otherDiffs.length > 0) parts.push(`changed: ${propertyList(otherDiffs)}`);
  return `- ${parts.join(' · ')}`;
}

/** The resource's line, then one nested line per changed property, those forcing the replacement first. */
function resourceWithProperties(resource: ResourceChange, properties: readonly PropertyChange[]): string {
  const ordered = [...properties].sort((a, b) => Number(b.replaces) - Number(a.replaces));
  const lines = ordered.slice(0, MAX_PROPERTIES_PER_RESOURCE).map(propertyLine);
  const more = ordered.length - MAX_PROPERTIES_PER_RESOURCE;
  if (more > 0) lines.push(`  - … and ${countOf(more, 'more property', 'more properties')}`);
  return [resourceItem(resource, false, false), ...lines].join('\n');
}

function propertyLine(property: PropertyChange): string {
  const what =
    property.kind === 'add'
      ? `added, ${shownValue(property.new)}`
      : property.kind === 'delete'
        ? `removed, was ${shownValue(property.old)}`
        : `${shownValue(property.old)} → ${shownValue(property.new)}`;
  return `  - ${code(property.path)}: ${what}${property.replaces ? ' · 🔁 forces replacement' : ''}`;
}

/** A value on one line and shortened: long strings and objects would push everything else out. */
function shownValue(value: unknown): string {
  return isSecret(value) ? SECRET_VALUE : code(clip(formatValue(value), MAX_VALUE_CHARS));
}

function propertyList(properties: readonly string[]): string {
  const shown = properties.slice(0, MAX_PROPERTIES_PER_RESOURCE).map(code).join(', ');
  const more = properties.length - MAX_PROPERTIES_PER_RESOURCE;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

export function renderOutputs(outputs: Readonly<Record<string, OutputValue>>): ShrinkableList | undefined {
  const names = Object.keys(outputs);
  if (names.length === 0) return undefined;
  return {
    head: '### Outputs',
    open: `\n${tableHeader(['Output', 'Value'])}`,
    entries: names.map((name) => tableRow([code(name), outputCell(outputs[name]!)])),
    leftOut: (count) => leftOutNote(count, 'output'),
    keep: 'first',
    shrinkRank: SHRINK_RANK.outputs,
  };
}

function outputCell(output: OutputValue): string {
  if (output.secret) return SECRET_VALUE;
  const text = typeof output.value === 'string' ? output.value : (JSON.stringify(output.value) ?? String(output.value));
  return code(clip(text, MAX_OUTPUT_CHARS));
}

/** The end of the log explains a failure best, so shortening drops its oldest lines. */
export function renderLogTail(logTail: readonly string[]): ShrinkableList | undefined {
  const lines = logTail.flatMap((line) => normalizeNewlines(line).split('\n')).map((line) => clip(line, MAX_LOG_LINE_CHARS));
  if (lines.length === 0) return undefined;
  const fence = fenceFor(lines.join('\n'));
  return {
    head: detailsOpen(`Log tail (${countOf(lines.length, 'line')})`),
    open: fence,
    entries: lines,
    close: fence,
    tail: DETAILS_CLOSE,
    leftOut: (count) => `*${countOf(count, 'earlier line')} left out to fit the size limit.*\n`,
    keep: 'last',
    shrinkRank: SHRINK_RANK.logTail,
  };
}

export function renderRunLink(runUrl: string | undefined): string | undefined {
  const href = runUrl !== undefined ? safeHref(runUrl) : undefined;
  return href && `[View the workflow run](${href})`;
}

/** Only http(s) links, with parentheses encoded so the URL cannot end the link early. */
function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
  } catch {
    return undefined;
  }
}

function opTitle(op: string): string {
  return OP_TITLES[op] ?? escapeText(op);
}

function orderOps(ops: readonly string[]): string[] {
  const rank = (op: string): number => {
    const index = PRIMARY_OPS.indexOf(op);
    return index < 0 ? PRIMARY_OPS.length : index;
  };
  return [...ops].sort((a, b) => rank(a) - rank(b));
}

function noun(count: number, singular: string, plural = `${singular}s`): string {
  return count === 1 ? singular : plural;
}

function countOf(count: number, singular: string, plural?: string): string {
  return `${count} ${noun(count, singular, plural)}`;
}

function nonZeroCounts(counts: readonly (readonly [number, string])[]): string[] {
  return counts.filter(([count]) => count > 0).map(([count, singular]) => countOf(count, singular));
}

/** Preceded by a blank line: right after a list item or table row it would otherwise join it. */
function leftOutNote(count: number, singular: string, plural?: string): string {
  return `\n*… ${count} more ${noun(count, singular, plural)} left out to fit the size limit.*`;
}
