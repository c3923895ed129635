// The vocabulary of pull-request commands (`/pulumi up prod` in a PR comment, on `issue_comment`
// events): the commands, what a comment asks for, and what GitHub says of the commenter and the pull
// request. inputs/comment-event.ts reads a comment into these, plan/pr-command.ts decides whether it
// may run, operation/pr-command-admission.ts asks GitHub and git in the order the gates need, and
// report/ answers (the reply in workspace/github-comment.ts, the outputs in report/outputs.ts).

/** The commands that run a command of the same name on the stack. */
export const PR_STACK_COMMANDS = ['preview', 'up', 'refresh', 'destroy'] as const;
/** And `unlock`, which releases the pull request's lock on the stack (plan/pr-lock.ts) and runs no code. */
export const PR_COMMANDS = [...PR_STACK_COMMANDS, 'unlock'] as const;
export type PrStackCommandName = (typeof PR_STACK_COMMANDS)[number];
export type PrCommandName = (typeof PR_COMMANDS)[number];

/** A command comment, as the event describes it. */
export interface PrCommand {
  command: PrCommandName;
  /** The stack the comment names, if it names one. */
  stack?: string;
  commentId: number;
  /** The comment's page, for the reply to link to; only a URL of the shape GitHub gives. */
  commentUrl?: string;
  commenter: string;
  pullNumber: number;
}

/**
 * What the comment that triggered the run asks for: nothing (`ignored`, quietly, with the reason for
 * the log), a command, or a `/pulumi` line that is not one (`malformed`, answered with the syntax).
 */
export type CommentEvent =
  { kind: 'ignored'; reason: string } | { kind: 'command'; command: PrCommand } | { kind: 'malformed'; commentId: number; commentUrl?: string; commenter: string; pullNumber: number; reply: string };

/** A decision on a command: `reason` goes to the log, `reply` to the pull request. */
export type CommandGate = { allowed: true; reason: string } | { allowed: false; reply: string };

export const COMMAND_WORD = '/pulumi';
export const COMMAND_SYNTAX = `${COMMAND_WORD} <${PR_COMMANDS.join('|')}> [stack]`;
/** A command line is short; more of a wrong one in the reply would only be noise. */
const MAX_QUOTED_LINE = 120;

/** A line of the comment, as a reply quotes it. */
export function clipLine(line: string): string {
  return line.length <= MAX_QUOTED_LINE ? line : `${line.slice(0, MAX_QUOTED_LINE)}…`;
}

/** GitHub's repository roles, weakest first. */
export const REPOSITORY_ROLES = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export type RepositoryRole = (typeof REPOSITORY_ROLES)[number];
/** What the required-level input may ask for: below `write` anyone who can comment could deploy. */
export const REQUIRED_ROLES = ['write', 'maintain', 'admin'] as const;
export type RequiredRole = (typeof REQUIRED_ROLES)[number];

/** GitHub's answer to GET /repos/{owner}/{repo}/collaborators/{username}/permission. */
export interface CollaboratorPermission {
  /** The legacy base role: `admin`, `write`, `read` or `none` (`maintain` reads `write`, `triage` `read`). */
  permission: string;
  /** The role itself: one of GitHub's five, or a custom role's name. */
  roleName: string;
}

export const REQUIREMENTS = ['approved', 'mergeable'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

/** A repository as the pull request names it. */
export interface RepositoryRef {
  id: number;
  /** `owner/name`. */
  fullName: string;
}

/** The pull request, as GET /repos/{owner}/{repo}/pulls/{pull_number} describes it. */
export interface PullRequestState {
  number: number;
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  /** Null while GitHub is still working it out, after a push or a change of the base. */
  mergeable: boolean | null;
  /** The repository the head branch is in; null once GitHub no longer knows it (a deleted fork). */
  headRepository: RepositoryRef | null;
  /** The repository the pull request is opened against, whose workflow runs the command. */
  baseRepository: RepositoryRef;
}

/** One submitted review, from GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews (oldest first). */
export interface PullRequestReview {
  /** Empty for a deleted account. */
  reviewer: string;
  reviewerIsBot: boolean;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING' | (string & {});
  /** The commit reviewed; null when git no longer has it (force-pushed away and collected). */
  commitId: string | null;
}

/** What the workflow allows beyond the defaults: the inputs that decide which approvals count and where code may come from. */
export interface ApprovalRules {
  requirements: readonly Requirement[];
  /** `pr-command-stale-approvals`: an approval of an earlier commit counts too (never for a fork's code). */
  staleApprovals: boolean;
  /** `pr-command-allow-forks`: commands on pull requests from forks may run (each with an approval of the head). */
  allowForks: boolean;
}

/** The reactions on the command comment: seen, done, and refused or failed. */
export const REACTIONS = { started: 'eyes', succeeded: 'rocket', failed: 'confused' } as const;
export type CommandReaction = (typeof REACTIONS)[keyof typeof REACTIONS];
