// The job summary on the run page: the same report as the PR comment, under the step summary's
// size limit, which GitHub counts in bytes.
import { reportBlocks } from './comment.js';
import type { StackEntry } from '../operation/detect.js';
import { clip, code, countUtf8Bytes, escapeInline, escapeText, renderWithin, tableHeader, tableRow } from '../base/markdown.js';
import type { Report } from '../model/changes.js';

/** GitHub refuses a step summary larger than 1 MiB. */
export const JOB_SUMMARY_MAX_BYTES = 1_048_576;

export interface JobSummaryOptions {
  maxBytes?: number;
}

export function renderJobSummary(report: Report, options: JobSummaryOptions = {}): string {
  const blocks = reportBlocks(report, { runLink: false });
  return renderWithin(blocks, options.maxBytes ?? JOB_SUMMARY_MAX_BYTES, countUtf8Bytes);
}

/** What `cleanup` removed and why, and the locks of the closed pull request it released, for the run page. */
export function renderCleanupSummary(
  removed: readonly { name: string; why: string; error?: string }[],
  examined: number,
  released: readonly { name: string; pullNumber: number; error?: string }[] = [],
): string {
  const heading = `## 🧹 Ephemeral stack cleanup: ${removed.filter((r) => !r.error).length} removed of ${examined} examined`;
  const locks = released.map((r) =>
    r.error ? `❌ Could not release the lock of #${r.pullNumber} on ${code(r.name)}: ${escapeText(clip(r.error, 1_000))}` : `🔓 Released the lock of #${r.pullNumber} on ${code(r.name)}.`,
  );
  const lockLines = locks.length > 0 ? ['', ...locks.map((line) => `- ${line}`)] : [];
  if (removed.length === 0) return [heading, '', 'No ephemeral stack had expired or belonged to a closed pull request.', ...lockLines, ''].join('\n');
  const rows = removed.map((r) => tableRow([r.error ? '❌' : '✅', code(r.name), escapeInline(r.why), r.error ? escapeText(clip(r.error, 1_000)) : '']));
  return [heading, '', tableHeader(['', 'Stack', 'Why', 'Error']), ...rows, ...lockLines, ''].join('\n');
}

/** The stacks `detect` selected for the matrix, for the run page. */
export function renderDetectSummary(selected: readonly StackEntry[], found: number, pullRequest: number | undefined): string {
  const scope = pullRequest !== undefined ? `touched by pull request #${pullRequest}` : 'found';
  const heading = `## 🔎 ${selected.length} of ${found} stacks ${scope}`;
  if (selected.length === 0) return `${heading}\n`;
  const rows = selected.map((s) => tableRow([code(s['work-dir']), code(s.project), code(s.stack)]));
  return [heading, '', tableHeader(['Folder', 'Project', 'Stack']), ...rows, ''].join('\n');
}
