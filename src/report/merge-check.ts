// The merge check: a commit status on a pull request's head for each stack it previews or applies,
// which a branch protection rule can require, so a pull request merges only once its changes are
// applied (the apply-before-merge requirement of Atlantis). Pure: which status the report makes.
import type { ChangeCounts, Report } from '../model/changes.js';
import type { CommitState, CommitStatus } from '../workspace/github.js';

/** GitHub refuses a status description longer than this (422). */
export const STATUS_DESCRIPTION_MAX = 140;

/**
 * The status's name. The project is in it because a monorepo's projects often share stack names
 * (`dev` of `api` and `dev` of `web`), whose checks would otherwise overwrite each other.
 */
export function mergeCheckContext(project: string, stack: string): string {
  return `pulumi/${project}/${stack}`;
}

/**
 * What the report says of the head: a preview with changes leaves it pending (not applied), one with
 * none makes it a success, and so does an `up` that ran to its end, since an update leaves nothing
 * to change; a failed preview or update is a failure. An `up` refused for another pull request's lock
 * is pending (this one's turn comes), refused by a gate a failure. A run that covered only part of
 * the stack (`target`, `exclude`) says nothing of the rest, and `refresh`, `destroy` and the others
 * apply no head: none of them set a status.
 */
export function mergeCheck(report: Report, scope: { headSha: string; partial: boolean }): CommitStatus | undefined {
  if (scope.partial || (report.command !== 'preview' && report.command !== 'up')) return undefined;
  const head = scope.headSha.slice(0, 7);
  const holder = report.lock?.holder;
  const lockedByOther = holder !== undefined && holder.pullNumber !== report.lock?.self ? `; locked by #${holder.pullNumber}` : '';
  const check = (state: CommitState, description: string): CommitStatus => ({
    context: mergeCheckContext(report.project, report.stack),
    state,
    description: description.length > STATUS_DESCRIPTION_MAX ? `${description.slice(0, STATUS_DESCRIPTION_MAX - 1)}…` : description,
  });
  if (report.command === 'preview') {
    switch (report.result) {
      case 'no-changes':
        return check('success', `No changes: ${report.stack} matches ${head}`);
      case 'succeeded':
        return check('pending', `Not applied: ${changeWords(report.changes.counts)}${lockedByOther}`);
      case 'failed':
        return check('failure', `The preview of ${head} failed`);
      default:
        return undefined;
    }
  }
  switch (report.result) {
    case 'succeeded':
    case 'no-changes':
      return check('success', `Applied ${head}: nothing left to change`);
    case 'failed':
      return check('failure', `The update of ${head} failed`);
    case 'cancelled':
      return check('failure', `The update of ${head} was cancelled`);
    case 'refused':
      return lockedByOther ? check('pending', `Not applied${lockedByOther}`) : check('failure', `The update of ${head} was refused`);
    default:
      return undefined;
  }
}

/** `2 to create, 1 to delete`, for a preview's status. */
function changeWords(counts: ChangeCounts): string {
  // Imports and the like count as changes too (model/changes.ts), without a word of their own here.
  const words = (['create', 'update', 'replace', 'delete'] as const).filter((op) => counts[op] > 0).map((op) => `${counts[op]} to ${op}`);
  return words.join(', ') || 'changes';
}
