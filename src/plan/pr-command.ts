// Whether a pull-request command may run: the gates, in the order the operation asks them
// (operation/pr-command-admission.ts). Pure: the caller asks GitHub and git and hands the answers
// in; a refusal comes back as the reply to post on the pull request, but the commenter's: someone
// without the role gets no answer at all, only a line in the log.
//
// `permissionGate` (may the commenter; before any reaction or reply, so that nobody else can make
// the action answer), `stackGate` (which stack), `forkGate` (is the code from a fork, and may it
// run), `requirementsGate` (for `up` and `refresh`: open, approved, optionally mergeable; for a
// fork's code, every command: approved), `headGate` (is the checked-out code the PR's head). Then
// `settingsForPrCommand`: what the admitted command runs with.
import { code, escapeText } from '../base/markdown.js';
import { takes } from '../model/commands.js';
import { isEphemeral } from '../model/ephemeral.js';
import {
  clipLine,
  COMMAND_WORD,
  REPOSITORY_ROLES,
  type ApprovalRules,
  type CollaboratorPermission,
  type CommandGate,
  type PrCommand,
  type PrCommandName,
  type PrStackCommandName,
  type PullRequestReview,
  type PullRequestState,
  type RepositoryRole,
  type RequiredRole,
} from '../model/pr-command.js';
import type { CommentSettings, StackSettings } from '../model/settings.js';

/**
 * The stack to run on. A named stack must be one of the step's (`stack`, possibly a list), compared
 * exactly, so a comment can never reach a stack the workflow does not list. With none named, the
 * only one listed; with several listed the commenter must choose: running them all from one comment
 * would turn `/pulumi up` into a deploy of production along with staging.
 */
export function stackGate(command: PrCommand, configured: readonly string[]): { allowed: true; reason: string; stack: string } | { allowed: false; reply: string } {
  const listed = configured.map(code).join(', ');
  if (command.stack !== undefined) {
    if (configured.includes(command.stack)) return { allowed: true, reason: `stack '${command.stack}' is one of the step's`, stack: command.stack };
    return { allowed: false, reply: `There is no stack ${code(clipLine(command.stack))} here. ${stacksHint(command, configured, listed)}` };
  }
  if (configured.length === 1) return { allowed: true, reason: `the step's only stack, '${configured[0]}'`, stack: configured[0]! };
  return { allowed: false, reply: `Name the stack: this workflow runs commands on several. ${stacksHint(command, configured, listed)}` };
}

function stacksHint(command: PrCommand, configured: readonly string[], listed: string): string {
  if (configured.length === 0) return 'The step lists no stacks (its `stack` input is empty).';
  return `The stacks are ${listed}: for example ${code(`${COMMAND_WORD} ${command.command} ${configured[0]}`)}.`;
}

/**
 * The commenter's role. `role_name` tells `maintain` from `write`, which `permission` does not; a
 * custom role's name says nothing about its level, so for those the base role in `permission`
 * counts, which may rank a custom role below its real base (never above).
 */
export function effectiveRole(granted: CollaboratorPermission): RepositoryRole | undefined {
  const byName = REPOSITORY_ROLES.find((role) => role === granted.roleName);
  if (byName) return byName;
  return REPOSITORY_ROLES.find((role) => role === granted.permission);
}

/** Whether the role GitHub reports is `required` or above. */
export function hasRole(granted: CollaboratorPermission, required: RequiredRole): boolean {
  const role = effectiveRole(granted);
  const rank = (r: RepositoryRole) => REPOSITORY_ROLES.indexOf(r);
  return role !== undefined && rank(role) >= rank(required);
}

function roleWords(granted: CollaboratorPermission | undefined): string {
  const role = granted && effectiveRole(granted);
  return role === undefined ? 'no role in this repository' : `the ${role} role`;
}

/**
 * May the commenter run commands? Asked before the action reacts or replies at all: on a public
 * repository anyone can comment, and an answer to anyone's `/pulumi` line would let strangers make
 * the action post (and spend the workflow's API quota). So a refusal is only a line for the log,
 * plain text, never a reply.
 */
export function permissionGate(commenter: string, granted: CollaboratorPermission, required: RequiredRole): { allowed: boolean; reason: string } {
  if (hasRole(granted, required)) return { allowed: true, reason: `${commenter} has ${roleWords(granted)}` };
  return {
    allowed: false,
    reason: `${commenter} has ${roleWords(granted)}, and running ${COMMAND_WORD} commands here takes ${required} access or more, so the comment gets no answer.`,
  };
}

/** Commands that change the stack's state, and so must meet the requirements. */
export function requirementsApply(command: PrCommandName): boolean {
  return command === 'up' || command === 'refresh';
}

/**
 * Where the head's code comes from, said for a reply, when not from the repository itself. A head
 * repository GitHub no longer knows (null) was a fork: a branch of the repository itself cannot
 * lose its repository while the pull request stands.
 */
export function forkSource(pull: Pick<PullRequestState, 'headRepository' | 'baseRepository'>): string | undefined {
  if (pull.headRepository === null) return 'a fork that has since been deleted';
  if (pull.headRepository.id !== pull.baseRepository.id) return `the fork ${code(pull.headRepository.fullName)}`;
  return undefined;
}

/**
 * Code from a fork was pushed by someone who need have no access to this repository, yet a command
 * runs it with the workflow's secrets: refused, unless the workflow allows forks, and then only with
 * an approval of the head (see `approvalRule`).
 */
export function forkGate(pull: PullRequestState, allowForks: boolean): CommandGate {
  const fork = forkSource(pull);
  if (fork === undefined) return { allowed: true, reason: `the head is a branch of ${pull.baseRepository.fullName}` };
  if (allowForks) return { allowed: true, reason: 'pull requests from forks are allowed, with an approval of the head' };
  return {
    allowed: false,
    reply:
      `This pull request comes from ${fork}, and this workflow runs no commands on pull requests from forks: a command runs the pull request's code with the workflow's secrets, and whoever pushed that code needs no access to this repository. ` +
      `To allow them, the workflow can set ${code('pr-command-allow-forks: true')}; each command on a fork's pull request then needs an approval of its head by someone with write access other than whoever comments the command.`,
  };
}

/**
 * Whether the command needs an approval, and whether only one of the head counts. `approved` in
 * `pr-command-requirements` asks it of `up` and `refresh`; code from a fork needs it for every
 * command, whatever the requirements say, and always of the head: nobody with write access vouches
 * for that code otherwise.
 */
export function approvalRule(command: PrCommandName, pull: PullRequestState, rules: ApprovalRules): { atHead: boolean } | undefined {
  if (forkSource(pull) !== undefined) return { atHead: true };
  if (requirementsApply(command) && rules.requirements.includes('approved')) return { atHead: !rules.staleApprovals };
  return undefined;
}

/** The reviews, and the roles of those approvers the caller asked GitHub about (keyed by lower-case login). */
export interface Reviewed {
  reviews: readonly PullRequestReview[];
  approverRoles: ReadonlyMap<string, CollaboratorPermission>;
}

/**
 * `up` and `refresh` need an open pull request that meets each of `requirements`; a fork's code
 * needs an approval for any command (`approvalRule`). An approval counts when it is a reviewer's
 * latest say, by a person with write access or more other than the commenter, of the head (or, with
 * `staleApprovals` and not on a fork, of any commit), and nobody's latest review requests changes.
 * `mergeable`: GitHub finds it mergeable. Otherwise a `preview` changes nothing and `destroy` has its
 * own gate (PULUMI_DESTROY_APPROVED, in the plan), so neither is held here.
 */
export function requirementsGate(command: PrCommand, pull: PullRequestState, reviewed: Reviewed, rules: ApprovalRules): CommandGate {
  const changes = requirementsApply(command.command);
  const approval = approvalRule(command.command, pull, rules);
  if (!changes && !approval) {
    if (command.command === 'preview') return { allowed: true, reason: 'a preview changes nothing' };
    return { allowed: true, reason: 'destroy is held by the destroy gate (PULUMI_DESTROY_APPROVED)' };
  }
  // Each requirement: its name for the log, its words for the reply, and what is wrong, if anything.
  const requirements: { name: string; words: string; unmet?: string }[] = [];
  if (changes) {
    requirements.push({ name: 'open', words: 'open', ...(pull.state === 'open' ? {} : { unmet: pull.merged ? 'it is merged already' : 'it is closed' }) });
  }
  if (approval) {
    const who = 'someone with write access other than whoever comments the command';
    const problem = approvalProblem(command.commenter, pull.headSha, approval.atHead, reviewed);
    requirements.push({ name: 'approved', words: approval.atHead ? `approved at its head by ${who}` : `approved by ${who}`, ...(problem ? { unmet: problem } : {}) });
  }
  if (changes && rules.requirements.includes('mergeable')) {
    const problem =
      pull.mergeable === null
        ? 'GitHub has not yet worked out whether it can be merged (comment the command again in a minute)'
        : pull.mergeable
          ? undefined
          : 'it cannot be merged as it is (resolve the conflicts with its base first)';
    requirements.push({ name: 'mergeable', words: 'mergeable', ...(problem ? { unmet: problem } : {}) });
  }
  const unmet = requirements.flatMap((r) => (r.unmet === undefined ? [] : [r.unmet]));
  if (unmet.length === 0) {
    const names = requirements.map((r) => r.name);
    return { allowed: true, reason: `the pull request meets the requirements (${names.join(', ')}${names.length === 1 && changes ? ', nothing more' : ''})` };
  }
  const wanted = requirements.map((r) => r.words);
  const fork = forkSource(pull);
  const why = [changes ? 'changes the stack' : undefined, fork ? `runs code from ${fork}` : undefined].filter(Boolean).join(' and ');
  return {
    allowed: false,
    reply: `${code(`${COMMAND_WORD} ${command.command}`)} ${why}, so the pull request must be ${listed(wanted)}. Not yet: ${unmet.join('; ')}.`,
  };
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

interface Verdict {
  reviewer: string;
  state: string;
  isBot: boolean;
  commitId: string | null;
}

/**
 * Each reviewer's latest say: an approval, a change request or a dismissal (of either). A comment
 * review says neither, as on GitHub, so it leaves the reviewer's earlier approval standing; a
 * pending review is a draft only its author sees. Logins compare as GitHub does, ignoring case.
 */
export function latestVerdicts(reviews: readonly PullRequestReview[]): Map<string, Verdict> {
  const latest = new Map<string, Verdict>();
  for (const review of reviews) {
    if (!review.reviewer || !['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(review.state)) continue;
    latest.set(review.reviewer.toLowerCase(), { reviewer: review.reviewer, state: review.state, isBot: review.reviewerIsBot, commitId: review.commitId });
  }
  return latest;
}

/** The latest approvals sorted by why they may not count; `candidates` count once GitHub says they have write access. */
function sortedApprovals(commenter: string, reviews: readonly PullRequestReview[], headSha: string, atHead: boolean) {
  const verdicts = [...latestVerdicts(reviews).values()];
  const requesting = verdicts.filter((v) => v.state === 'CHANGES_REQUESTED');
  // A person must approve: an approving app would let anyone who can comment deploy.
  const approvals = verdicts.filter((v) => v.state === 'APPROVED' && !v.isBot);
  const own = approvals.filter((v) => v.reviewer.toLowerCase() === commenter.toLowerCase());
  const others = approvals.filter((v) => !own.includes(v));
  const ofHead = (v: Verdict) => v.commitId !== null && v.commitId.toLowerCase() === headSha.toLowerCase();
  const candidates = others.filter((v) => !atHead || ofHead(v));
  const earlier = others.filter((v) => !candidates.includes(v));
  return { requesting, own, candidates, earlier };
}

/**
 * Whose write access to ask GitHub about, in order, until one has it: the approvals that count if
 * the approver has it. None while a change request stands, which refuses whoever approved.
 */
export function approversToAsk(commenter: string, reviews: readonly PullRequestReview[], headSha: string, atHead: boolean): string[] {
  const { requesting, candidates } = sortedApprovals(commenter, reviews, headSha, atHead);
  return requesting.length > 0 ? [] : candidates.map((v) => v.reviewer);
}

/** Why no approval counts; undefined when one does. */
function approvalProblem(commenter: string, headSha: string, atHead: boolean, reviewed: Reviewed): string | undefined {
  const { requesting, own, candidates, earlier } = sortedApprovals(commenter, reviewed.reviews, headSha, atHead);
  const names = (verdicts: readonly Verdict[]) => listed(verdicts.map((v) => escapeText(v.reviewer)));
  if (requesting.length > 0) return `${requesting.map((v) => escapeText(v.reviewer)).join(', ')} requested changes`;
  const roleOf = (v: Verdict) => reviewed.approverRoles.get(v.reviewer.toLowerCase());
  const canApprove = (v: Verdict) => {
    const granted = roleOf(v);
    return granted !== undefined && hasRole(granted, 'write');
  };
  if (candidates.some(canApprove)) return undefined;
  const problems: string[] = [];
  if (candidates.length > 0) {
    const roles = candidates.map((v) => `${escapeText(v.reviewer)} has ${roleWords(roleOf(v))}`);
    problems.push(`an approval counts only from someone with write access or more, and ${listed(roles)}`);
  }
  if (earlier.length > 0) {
    const verb = earlier.length === 1 ? 'approved an earlier commit' : 'approved earlier commits';
    problems.push(`${names(earlier)} ${verb}, not the head ${code(headSha.slice(0, 12))}: the head itself must be approved`);
  }
  if (problems.length > 0) return problems.join('; ');
  if (own.length > 0) return `the only approval is by ${escapeText(commenter)}, who commented the command: someone else must approve`;
  return 'nobody has approved it';
}

// ---------------------------------------------------------------------------------------------
// The code that runs
// ---------------------------------------------------------------------------------------------

/**
 * The checked-out commit must be the pull request's head as GitHub has it now. On `issue_comment`
 * events the workflow runs on the default branch (GITHUB_SHA is its head), so without this a
 * command would run the wrong code, and a push after the approval could slip unreviewed code in.
 */
export function headGate(pull: Pick<PullRequestState, 'number' | 'headSha'>, checkedOut: string): CommandGate {
  if (checkedOut.toLowerCase() === pull.headSha.toLowerCase()) return { allowed: true, reason: `the workspace is at the head ${pull.headSha}` };
  return {
    allowed: false,
    reply:
      `The workflow checked out ${code(checkedOut.slice(0, 12))}, but the head of this pull request is ${code(pull.headSha.slice(0, 12))}. ` +
      `Check out the pull request's head (actions/checkout with ${code(`ref: refs/pull/${pull.number}/head`)}); ` +
      `if a commit was pushed after the command, comment the command again.`,
  };
}

/**
 * The settings of the command a pull request comment gives, on the stack it names, commenting on
 * that pull request. Options of other commands the step gives (`refresh` for a `/pulumi refresh`,
 * `require-approval` for a preview) do not apply to it.
 */
export function settingsForPrCommand(settings: CommentSettings, command: PrStackCommandName, stack: string, pullNumber: number, headSha: string): StackSettings {
  const base = settings.stackSettings;
  return {
    ...base,
    command,
    stack,
    ephemeral: isEphemeral(stack, base.ephemeralStacks),
    refresh: base.refresh && takes(command, 'refresh'),
    requireApproval: takes(command, 'require-approval') ? base.requireApproval : undefined,
    comment: { ...base.comment, issueNumber: pullNumber },
    pullRequest: { number: pullNumber, headSha },
  };
}
