// The report's side-effect edges: the PR comment, the job summary and the step outputs. Neither
// the comment nor the summary can fail the step; each failure becomes a warning with its reason.
import type { Release, Removal } from '../operation/cleanup.js';
import type { Detected } from '../operation/detect.js';
import { gitHubClient, gitHubFailure, setCommitStatus, statusOf } from '../workspace/github.js';
import * as log from '../base/log.js';
import type { PrCommandName } from '../model/pr-command.js';
import type { LockReport } from '../model/pr-lock.js';
import { lockLine, lockOutput } from '../plan/pr-lock.js';
import type { Runner } from '../base/runner.js';
import type { StackSettings } from '../model/settings.js';
import { renderComment } from './comment.js';
import { commentFailure, commentMarker, settleQuietComment, upsertComment } from '../workspace/github-comment.js';
import { code } from '../base/markdown.js';
import { mergeCheck } from './merge-check.js';
import { outputText, type Report } from '../model/changes.js';
import { ownStepOutput, prCommandOutputs, stepOutputs } from './outputs.js';
import type { Redactor } from '../operation/redact.js';
import { renderCleanupSummary, renderDetectSummary, renderJobSummary } from './summary.js';

/** The report, its secrets masked (the outputs' own ones among them), everywhere it goes. */
export async function publishReport(report: Report, settings: StackSettings, redactor: Redactor, runner: Runner): Promise<void> {
  const shown = redactor.add(secretOutputValues(report)).report(report);
  const [commentUrl] = await Promise.all([postComment(shown, settings), postMergeCheck(shown, settings)]);
  if (settings.jobSummary) writeJobSummary(runner, renderJobSummary(shown));

  const unaddressable = Object.keys(shown.outputs).filter((name) => !ownStepOutput(name));
  if (unaddressable.length > 0) {
    log.warning(
      `${unaddressable.length} stack output(s) are only in the 'outputs' output, not step outputs of their own: ${clippedList(unaddressable)}. ` +
        `A step output's name has only letters, digits, '-' and '_', and is none of the action's own: rename the stack output to read it on its own.`,
    );
  }
  for (const output of stepOutputs(shown)) runner.setOutput(output.name, output.value);
  if (commentUrl) runner.setOutput('comment-url', commentUrl);
}

/** Names from the program, JSON-quoted (a name may hold anything), a few of them. */
function clippedList(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((name) => JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name));
  return names.length > shown.length ? `${shown.join(', ')} and ${names.length - shown.length} more` : shown.join(', ');
}

function secretOutputValues(report: Report): string[] {
  return (
    Object.values(report.outputs)
      // From the engine's events a secret output has no value: there is nothing to mask.
      .filter((o) => o.secret && o.value !== undefined)
      .map((o) => outputText(o.value))
      .filter((v) => v.length > 0)
  );
}

async function postComment(report: Report, settings: StackSettings): Promise<string | undefined> {
  const { mode, noChanges, token, issueNumber } = settings.comment;
  const repository = settings.github.repository;
  if (mode === 'off' || issueNumber === undefined) return undefined;
  if (!token || !repository) {
    log.warning(`No PR comment: ${!token ? "'github-token' is empty" : 'GITHUB_REPOSITORY is not set'}; the job summary has the report.`);
    return undefined;
  }
  try {
    const github = await gitHubClient(token, settings.github.apiUrl);
    const target = { ...repository, issueNumber, mode };
    const marker = commentMarker(report.project, report.stack, report.command);
    const body = renderComment(report);
    if (noChanges !== 'update' && isQuiet(report)) {
      const url = await settleQuietComment(github, target, marker, body, noChanges);
      log.info(url ? `PR comment: ${url}` : `No PR comment: nothing would change ('no-changes-comment: ${noChanges}').`);
      return url;
    }
    const url = await upsertComment(github, target, marker, body);
    log.info(`PR comment: ${url}`);
    return url;
  } catch (err) {
    log.warning(`Could not write the PR comment: ${commentFailure(err)} The job summary has the report.`);
    return undefined;
  }
}

/**
 * The merge check on the head of the pull request the run acts for. Like the comment, it cannot fail
 * the step: without `statuses: write` it is one warning.
 */
async function postMergeCheck(report: Report, settings: StackSettings): Promise<void> {
  const headSha = settings.pullRequest?.headSha;
  const token = settings.comment.token;
  const repository = settings.github.repository;
  if (headSha === undefined) return;
  const check = mergeCheck(report, { headSha, partial: settings.operation.target.length > 0 || settings.operation.exclude.length > 0 });
  if (!check) return;
  if (!token || !repository) {
    log.warning(`No merge check ${check.context}: ${!token ? "'github-token' is empty" : 'GITHUB_REPOSITORY is not set'}.`);
    return;
  }
  try {
    await setCommitStatus(await gitHubClient(token, settings.github.apiUrl), repository.owner, repository.repo, headSha, check, settings.github.runUrl);
    log.info(`Merge check ${check.context} on ${headSha}: ${check.state} (${check.description}).`);
  } catch (err) {
    const permission = statusOf(err) === 403 || statusOf(err) === 404 ? ": give the job 'statuses: write'" : '';
    log.warning(`Could not set the merge check ${check.context} on ${headSha.slice(0, 12)}: ${gitHubFailure(err)}${permission}.`);
  }
}

/** Nothing for a reviewer: no change, and no policy violation. */
function isQuiet(report: Report): boolean {
  return report.result === 'no-changes' && report.changes.policyViolations.length === 0;
}

function writeJobSummary(runner: Runner, markdown: string): void {
  try {
    runner.appendSummary(markdown);
  } catch (err) {
    log.warning(`Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `comment`'s own outputs: which command ran on which head, empty when none did. */
export function publishPrCommand(runner: Runner, ran?: { command: PrCommandName; headSha: string }): void {
  for (const [name, value] of Object.entries(prCommandOutputs(ran))) runner.setOutput(name, value);
}

/** `/pulumi unlock`: the lock as it left it, in the `lock` output and the job summary. */
export function publishUnlock(lock: LockReport, jobSummary: boolean, runner: Runner): void {
  if (jobSummary) writeJobSummary(runner, `## 🔓 ${code(`/pulumi unlock ${lock.stack}`)}\n\n${lockLine(lock)}\n`);
  runner.setOutput('lock', lockOutput(lock));
}

/** `jobSummary`: `comment-on-summary`, for these as for a stack's report. */
export function publishCleanup({ removed, examined, released }: { removed: Removal[]; examined: number; released: Release[] }, jobSummary: boolean, runner: Runner): void {
  if (jobSummary) writeJobSummary(runner, renderCleanupSummary(removed, examined, released));
  runner.setOutput('removed', JSON.stringify(removed.filter((r) => !r.error).map((r) => r.name)));
}

export function publishDetect({ selected, found, pullRequest }: Detected, jobSummary: boolean, runner: Runner): void {
  if (jobSummary) writeJobSummary(runner, renderDetectSummary(selected, found, pullRequest));
  runner.setOutput('matrix', JSON.stringify({ include: selected }));
}
