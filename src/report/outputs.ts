// The step outputs: every stack output under its own name, plus the action's own facts. A secret
// output's value never leaves the action: the runner's output file outlives the step, so it reads [secret].
import { lockOutput } from '../plan/pr-lock.js';
import type { PrCommandName } from '../model/pr-command.js';
import { OUTPUT_NAME } from '../base/runner.js';
import { destructiveCount, hasChanges, outputText, type Report } from '../model/changes.js';
import { SECRET_PLACEHOLDER } from '../model/pulumi-formats.js';

/** The action's own outputs; a stack output with one of these names is only in `outputs`. */
export const RESERVED_OUTPUTS = [
  'stack',
  'outputs',
  'changes',
  'has-changes',
  'has-deletes',
  'comment-url',
  'plan-digest',
  'checks',
  'drifted',
  'pr-command',
  'pr-head-sha',
  'lock',
  'replaced-urns',
  'deleted-urns',
  'policy-violations',
  'error',
  'log-tail',
  'update-url',
] as const;

export interface StepOutput {
  name: string;
  value: string;
}

/**
 * The engine's words can be any size (a program's exception, a provider's dump); a step output is
 * kept to 1 MB by GitHub, and what a later step reads of them to a few screens. The error's start
 * and the log's end are what tell.
 */
const MAX_ERROR_BYTES = 16 * 1024;
const MAX_LOG_TAIL_BYTES = 64 * 1024;

/**
 * A stack output becomes a step output of its own name only where a workflow can address that
 * name and it is none of the action's own, compared as GitHub compares them, ignoring case: the
 * program names its outputs, and a name such as `a=1\ncomment-url=…` or `Comment-URL` must not
 * write or stand in for another output. The others are only in `outputs`.
 */
export function ownStepOutput(name: string): boolean {
  return OUTPUT_NAME.test(name) && !(RESERVED_OUTPUTS as readonly string[]).includes(name.toLowerCase());
}

export function stepOutputs(report: Report): StepOutput[] {
  const stackOutputs = Object.entries(report.outputs);
  const { create, update, delete: del, replace, same } = report.changes.counts;
  return [
    ...stackOutputs.filter(([name]) => ownStepOutput(name)).map(([name, output]) => ({ name, value: output.secret ? SECRET_PLACEHOLDER : outputText(output.value) })),
    { name: 'stack', value: report.stackRef },
    { name: 'outputs', value: JSON.stringify(Object.fromEntries(stackOutputs.map(([name, o]) => [name, o.secret ? SECRET_PLACEHOLDER : o.value]))) },
    { name: 'changes', value: JSON.stringify({ create, update, delete: del, replace, same }) },
    { name: 'has-changes', value: String(hasChanges(report.changes.counts)) },
    { name: 'has-deletes', value: String(destructiveCount(report.changes.counts) > 0) },
    { name: 'replaced-urns', value: JSON.stringify(urnsOf(report, (op) => op === 'replace')) },
    { name: 'deleted-urns', value: JSON.stringify(urnsOf(report, (op) => op === 'delete' || op === 'delete-replaced')) },
    { name: 'policy-violations', value: JSON.stringify(violationsByLevel(report)) },
    // What a later step needs when this one failed: the engine's error and the end of its log.
    ...(report.error !== undefined ? [{ name: 'error', value: clipUtf8(report.error, MAX_ERROR_BYTES, 'start') }] : []),
    ...(report.logTail ? [{ name: 'log-tail', value: clipUtf8(report.logTail.join('\n'), MAX_LOG_TAIL_BYTES, 'end') }] : []),
    ...(report.planDigest ? [{ name: 'plan-digest', value: report.planDigest }] : []),
    ...(report.updateUrl ? [{ name: 'update-url', value: report.updateUrl }] : []),
    ...(report.drifted !== undefined ? [{ name: 'drifted', value: String(report.drifted) }] : []),
    ...(report.checks ? [{ name: 'checks', value: JSON.stringify(Object.fromEntries(report.checks.map((c) => [c.key, c.passed]))) }] : []),
    ...(report.lock ? [{ name: 'lock', value: lockOutput(report.lock) }] : []),
  ];
}

function urnsOf(report: Report, wanted: (op: string) => boolean): string[] {
  return report.changes.resources.filter((r) => wanted(r.op)).map((r) => r.urn);
}

/** Violations counted by enforcement level; the two levels that report always there, at 0 when none. */
function violationsByLevel(report: Report): Record<string, number> {
  const counts: Record<string, number> = { mandatory: 0, advisory: 0 };
  for (const { enforcement } of report.changes.policyViolations) counts[enforcement] = (counts[enforcement] ?? 0) + 1;
  return counts;
}

/** At most `max` UTF-8 bytes of `text`, from its start or its end, never splitting a character, with a note of what was cut. */
export function clipUtf8(text: string, max: number, keep: 'start' | 'end'): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  // A UTF-8 continuation byte (10xxxxxx) never starts a character.
  const isContinuation = (i: number) => (bytes[i]! & 0xc0) === 0x80;
  if (keep === 'start') {
    let end = max;
    while (end > 0 && isContinuation(end)) end--;
    return `${bytes.subarray(0, end).toString('utf8')}\n… (${bytes.length - end} more bytes cut)`;
  }
  let start = bytes.length - max;
  while (start < bytes.length && isContinuation(start)) start++;
  return `(… ${start} bytes cut)\n${bytes.subarray(start).toString('utf8')}`;
}

/** The step outputs of `command: comment`; empty when no command ran, as for an ordinary comment. */
export function prCommandOutputs(ran?: { command: PrCommandName; headSha: string }): Record<'pr-command' | 'pr-head-sha', string> {
  return { 'pr-command': ran?.command ?? '', 'pr-head-sha': ran?.headSha ?? '' };
}
