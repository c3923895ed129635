// The step outputs: every stack output under its own name, plus the action's own facts. A secret
// output's value never leaves the action: GITHUB_OUTPUT files outlive the step, so it reads [secret].
import { destructiveCount, hasChanges, type Report } from './model.js';

/** The action's own outputs; a stack output with one of these names is only in `outputs`. */
export const RESERVED_OUTPUTS = ['stack', 'outputs', 'changes', 'has-changes', 'has-deletes', 'comment-url', 'plan-digest', 'checks', 'drifted', 'pr-command', 'pr-head-sha'] as const;

export interface StepOutput {
  name: string;
  value: string;
}

const SECRET = '[secret]';

export function stepOutputs(report: Report): StepOutput[] {
  const stackOutputs = Object.entries(report.outputs);
  const { create, update, delete: del, replace, same } = report.changes.counts;
  return [
    ...stackOutputs
      .filter(([name]) => !(RESERVED_OUTPUTS as readonly string[]).includes(name))
      .map(([name, output]) => ({ name, value: output.secret ? SECRET : outputText(output.value) })),
    { name: 'stack', value: report.stackRef },
    { name: 'outputs', value: JSON.stringify(Object.fromEntries(stackOutputs.map(([name, o]) => [name, o.secret ? SECRET : o.value]))) },
    { name: 'changes', value: JSON.stringify({ create, update, delete: del, replace, same }) },
    { name: 'has-changes', value: String(hasChanges(report.changes.counts)) },
    { name: 'has-deletes', value: String(destructiveCount(report.changes.counts) > 0) },
    ...(report.planDigest ? [{ name: 'plan-digest', value: report.planDigest }] : []),
    ...(report.drifted !== undefined ? [{ name: 'drifted', value: String(report.drifted) }] : []),
    ...(report.checks ? [{ name: 'checks', value: JSON.stringify(Object.fromEntries(report.checks.map((c) => [c.key, c.passed]))) }] : []),
  ];
}

export function outputText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
