// The job summary on the run page: the same report as the PR comment, under the step summary's
// size limit, which GitHub counts in bytes.
import { reportBlocks, type RenderOptions } from './comment.js';
import { countUtf8Bytes, renderWithin } from './markdown.js';
import type { Report } from './model.js';

/** GitHub refuses a step summary larger than 1 MiB. */
export const JOB_SUMMARY_MAX_BYTES = 1_048_576;

export interface JobSummaryOptions extends RenderOptions {
  maxBytes?: number;
}

export function renderJobSummary(report: Report, options: JobSummaryOptions = {}): string {
  const blocks = reportBlocks(report, { runLink: false, secrets: options.secrets });
  return renderWithin(blocks, options.maxBytes ?? JOB_SUMMARY_MAX_BYTES, countUtf8Bytes);
}
