// The report's side-effect edges: the PR comment, the job summary and the step outputs. Neither
// the comment nor the summary can fail the step; each failure becomes a warning with its reason.
import * as core from '@actions/core';
import type { Removal } from '../cleanup.js';
import type { Detected } from '../detect.js';
import { gitHubClient } from '../github.js';
import { prCommandOutputs, type PrCommandName } from '../pr-command.js';
import type { StackSettings } from '../settings.js';
import { renderComment } from './comment.js';
import { commentFailure, settleQuietComment, upsertComment } from './github-comment.js';
import { commentMarker, type Report } from './model.js';
import { outputText, stepOutputs } from './outputs.js';
import type { Redactor } from './redact.js';
import { renderCleanupSummary, renderDetectSummary, renderJobSummary } from './summary.js';

/** The report, its secrets masked (the outputs' own ones among them), everywhere it goes. */
export async function publishReport(report: Report, settings: StackSettings, redactor: Redactor): Promise<void> {
  const shown = redactor.add(secretOutputValues(report)).report(report);
  const commentUrl = await postComment(shown, settings);
  if (settings.jobSummary) await writeJobSummary(renderJobSummary(shown));

  for (const output of stepOutputs(shown)) core.setOutput(output.name, output.value);
  if (commentUrl) core.setOutput('comment-url', commentUrl);
}

function secretOutputValues(report: Report): string[] {
  return Object.values(report.outputs)
    // From the engine's events a secret output has no value: there is nothing to mask.
    .filter((o) => o.secret && o.value !== undefined)
    .map((o) => outputText(o.value))
    .filter((v) => v.length > 0);
}

async function postComment(report: Report, settings: StackSettings): Promise<string | undefined> {
  const { mode, noChanges, token, issueNumber } = settings.comment;
  const repository = settings.github.repository;
  if (mode === 'off' || issueNumber === undefined) return undefined;
  if (!token || !repository) {
    core.warning(`No PR comment: ${!token ? "'github-token' is empty" : 'GITHUB_REPOSITORY is not set'}; the job summary has the report.`);
    return undefined;
  }
  try {
    const github = await gitHubClient(token, settings.github.apiUrl);
    const target = { ...repository, issueNumber, mode };
    const marker = commentMarker(report.project, report.stack, report.command);
    const body = renderComment(report);
    if (noChanges !== 'update' && isQuiet(report)) {
      const url = await settleQuietComment(github, target, marker, body, noChanges);
      core.info(url ? `PR comment: ${url}` : `No PR comment: nothing would change ('no-changes-comment: ${noChanges}').`);
      return url;
    }
    const url = await upsertComment(github, target, marker, body);
    core.info(`PR comment: ${url}`);
    return url;
  } catch (err) {
    core.warning(`Could not write the PR comment: ${commentFailure(err)} The job summary has the report.`);
    return undefined;
  }
}

/** Nothing for a reviewer: no change, and no policy violation. */
function isQuiet(report: Report): boolean {
  return report.result === 'no-changes' && report.changes.policyViolations.length === 0;
}

async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (err) {
    core.warning(`Could not write the job summary: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `comment`'s own outputs: which command ran on which head, empty when none did. */
export function publishPrCommand(ran?: { command: PrCommandName; headSha: string }): void {
  for (const [name, value] of Object.entries(prCommandOutputs(ran))) core.setOutput(name, value);
}

/** `jobSummary`: `comment-on-summary`, for these as for a stack's report. */
export async function publishCleanup({ removed, examined }: { removed: Removal[]; examined: number }, jobSummary: boolean): Promise<void> {
  if (jobSummary) await writeJobSummary(renderCleanupSummary(removed, examined));
  core.setOutput('removed', JSON.stringify(removed.filter((r) => !r.error).map((r) => r.name)));
}

export async function publishDetect({ selected, found, pullRequest }: Detected, jobSummary: boolean): Promise<void> {
  if (jobSummary) await writeJobSummary(renderDetectSummary(selected, found, pullRequest));
  core.setOutput('matrix', JSON.stringify({ include: selected }));
}
