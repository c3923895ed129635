// Stage 5's first half: the report, from what the operation did. Pure: what the result is, and
// whether the step fails, are decided here and nowhere else.
import { STACK_COMMAND_RECORDS } from '../model/commands.js';
import type { Outcome } from '../operation/operation.js';
import { wouldDo } from '../plan/destroy.js';
import type { Plan } from '../plan/plan.js';
import type { LockReport } from '../model/pr-lock.js';
import type { StackSettings } from '../model/settings.js';
import type { Report, Result } from '../model/changes.js';

/** What the report needs that the pipeline reads outside the operation. */
export interface ReportFacts {
  /** Fully qualified stack name (org/project/stack). */
  stackRef: string;
  /** The stack's pull-request lock, where the command takes or looks at it. */
  lock?: LockReport;
}

export function buildReport(settings: StackSettings, plan: Plan, outcome: Outcome, facts: ReportFacts): Report {
  const record = STACK_COMMAND_RECORDS[settings.command];
  const refusal = plan.refusal ?? outcome.refusal;
  const result: Result = refusal ? 'refused' : outcome.cancelled ? 'cancelled' : outcome.error ? 'failed' : record.result(outcome.changes);
  return {
    command: settings.command,
    project: settings.project.name,
    stack: settings.stack,
    stackRef: facts.stackRef,
    result,
    changes: outcome.changes,
    outputs: outcome.outputs ?? {},
    error: refusal ?? outcome.error,
    logTail: outcome.error ? outcome.logTail : undefined,
    runUrl: settings.github.runUrl,
    lifecycle: record.ephemeral ? outcome.lifecycle : undefined,
    checks: outcome.checks,
    planDigest: outcome.planDigest,
    pendingOperations: outcome.pendingOperations,
    interruptedOperations: outcome.interrupted,
    ...(record.detectsDrift ? { drifted: result === 'drifted' } : {}),
    updateUrl: updatePage(outcome.permalink, settings.cloudConsoleUrl, facts.stackRef),
    ...(facts.lock ? { lock: facts.lock } : {}),
  };
}

/**
 * The operation's page in Pulumi Cloud's console: the link the CLI printed (see PERMALINK_LINE in
 * engine.ts), taken only when it is the page of an update or preview of this very stack under the
 * console the CLI's own rule names for the backend. Anything else (another host, another stack,
 * more path, a query) is no link of the CLI's, and is left out.
 */
export function updatePage(printed: string | undefined, consoleUrl: string | undefined, stackRef: string): string | undefined {
  const prefix = consoleUrl && `${consoleUrl}/${stackRef}/`;
  if (!printed || !prefix || !printed.startsWith(prefix)) return undefined;
  return /^(?:updates\/[1-9]\d{0,9}|previews\/[0-9A-Za-z-]{1,64})$/.test(printed.slice(prefix.length)) ? printed : undefined;
}

/** Why the step fails, if it does: a refusal, with what the refused run would have destroyed; an error; drift, when asked to fail on it. */
export function failureOf(report: Report, settings: StackSettings): string | undefined {
  if (report.result === 'refused') return refusalMessage(report.error ?? 'refused', report);
  if (report.error) return report.error;
  if (report.drifted && settings.failOnDrift) return `resources changed outside Pulumi (see the report), and 'fail-on-drift' is set.`;
  return undefined;
}

/** The refusal, with what the refused run would have deleted or replaced. */
function refusalMessage(refusal: string, report: Report): string {
  const doomed = (op: 'delete' | 'replace') => report.changes.resources.filter((r) => r.op === op).map((r) => `${r.type} ${r.name}`);
  return [refusal, wouldDo('delete', doomed('delete')), wouldDo('replace', doomed('replace'))].filter(Boolean).join(' ');
}
