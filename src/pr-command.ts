// Pull-request commands (`/pulumi up prod` in a PR comment, on `issue_comment` events): what the
// comment asks for, and whether it may run. Pure: the caller reads the event file, asks GitHub and
// git, and hands the answers in; a refusal comes back as the reply to post on the pull request, but
// the commenter's: someone without the role gets no answer at all, only a line in the log.
//
// The checks, in the order the caller makes them: `parseCommentEvent` (is this a command at all),
// `permissionGate` (may the commenter; before any reaction or reply, so that nobody else can make
// the action answer), `stackGate` (which stack), `forkGate` (is the code from a fork, and may it
// run), `requirementsGate` (for `up` and `refresh`: open, approved, optionally mergeable; for a
// fork's code, every command: approved), `headGate` (is the checked-out code the PR's head).
import { code, escapeText } from './report/markdown.js';

/** The commands that run a command of the same name on the stack. */
export const PR_STACK_COMMANDS = ['preview', 'up', 'refresh', 'destroy'] as const;
/** And `unlock`, which releases the pull request's lock on the stack (pr-lock.ts) and runs no code. */
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
  | { kind: 'ignored'; reason: string }
  | { kind: 'command'; command: PrCommand }
  | { kind: 'malformed'; commentId: number; commentUrl?: string; commenter: string; pullNumber: number; reply: string };

/** A decision on a command: `reason` goes to the log, `reply` to the pull request. */
export type CommandGate = { allowed: true; reason: string } | { allowed: false; reply: string };

const COMMAND_WORD = '/pulumi';
export const COMMAND_SYNTAX = `${COMMAND_WORD} <${PR_COMMANDS.join('|')}> [stack]`;
/** A command line is short; more of a wrong one in the reply would only be noise. */
const MAX_QUOTED_LINE = 120;

/**
 * Reads the `issue_comment` payload (GITHUB_EVENT_PATH's JSON). Only a new comment on a pull request
 * by a person counts: GitHub sends edits and deletions as the same event (a deleted command must
 * not run, an edited one would run twice), and marks the issues that are pull requests with
 * `issue.pull_request`. Bots are ignored, this action's own replies among them.
 */
export function parseCommentEvent(payload: unknown): CommentEvent {
  const event = asRecord(payload);
  const comment = asRecord(event?.comment);
  const issue = asRecord(event?.issue);
  const user = asRecord(comment?.user);
  const commentId = comment?.id;
  const pullNumber = issue?.number;
  const commenter = user?.login;
  if (!comment || !issue || !isId(commentId) || !isId(pullNumber) || typeof commenter !== 'string') {
    return { kind: 'ignored', reason: 'the event is not an issue_comment event (no comment and issue in its payload).' };
  }
  if (event?.action !== 'created') return { kind: 'ignored', reason: `the comment was ${String(event?.action)}, not created: only a new comment runs a command.` };
  if (!issue.pull_request) return { kind: 'ignored', reason: `#${pullNumber} is an issue, not a pull request.` };
  if (user?.type === 'Bot') return { kind: 'ignored', reason: `the comment is by a bot (${commenter}).` };

  const commentUrl = webUrl(comment.html_url);
  const where = { commentId, ...(commentUrl === undefined ? {} : { commentUrl }), commenter, pullNumber };
  const lines = commandLines(typeof comment.body === 'string' ? comment.body : '');
  if (lines.length === 0) return { kind: 'ignored', reason: `the comment has no ${COMMAND_WORD} line.` };
  const malformed = (reply: string): CommentEvent => ({ kind: 'malformed', ...where, reply });
  if (lines.length > 1) {
    return malformed(`This comment has ${lines.length} ${code(COMMAND_WORD)} lines; one comment runs one command. ${syntaxHint()}`);
  }
  const [line] = lines as [string];
  const [, name, stack, ...extra] = line.split(/\s+/);
  if (!isPrCommandName(name) || extra.length > 0) {
    return malformed(`${code(clipLine(line))} is not a command this action knows. ${syntaxHint()}`);
  }
  return { kind: 'command', command: { command: name, ...(stack === undefined ? {} : { stack }), ...where } };
}

function syntaxHint(): string {
  return `Write ${code(COMMAND_SYNTAX)} on a line of its own, for example ${code(`${COMMAND_WORD} preview`)}.`;
}

/**
 * The lines that start with the command word, outside fenced code (where a comment shows a command
 * rather than gives it). A quoted earlier command (`> /pulumi up`) does not start with it either.
 */
function commandLines(body: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    const run = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      // Closed by a line of the same character, at least as long, and nothing else.
      if (run !== undefined && line === run && run[0] === fence[0] && run.length >= fence.length) fence = undefined;
    } else if (run !== undefined) {
      fence = run;
    } else if (line === COMMAND_WORD || /^\/pulumi\s/.test(line)) {
      found.push(line);
    }
  }
  return found;
}

/** The reply puts it in a markdown link: nothing that could end the link or start markup. */
function webUrl(value: unknown): string | undefined {
  return typeof value === 'string' && /^https?:\/\/[^\s()<>[\]]+$/.test(value) ? value : undefined;
}

function clipLine(line: string): string {
  return line.length <= MAX_QUOTED_LINE ? line : `${line.slice(0, MAX_QUOTED_LINE)}…`;
}

function isPrCommandName(value: string | undefined): value is PrCommandName {
  return (PR_COMMANDS as readonly (string | undefined)[]).includes(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

// ---------------------------------------------------------------------------------------------
// Which stack
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Who may
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Apply requirements, forks and approvals
// ---------------------------------------------------------------------------------------------

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
      `To allow them, the workflow can set ${code(`${ALLOW_FORKS_INPUT}: true`)}; each command on a fork's pull request then needs an approval of its head by someone with write access other than whoever comments the command.`,
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

// ---------------------------------------------------------------------------------------------
// Inputs and outputs
// ---------------------------------------------------------------------------------------------

/**
 * A bad value for one of the inputs below, its message naming the input and the fix. Its own class,
 * not inputs.ts's InputError: the inputs stage calls these parsers, so importing from it would make
 * a cycle; it can rethrow these as its own.
 */
export class PrCommandInputError extends Error {
  override name = 'PrCommandInputError';
}

export const PERMISSION_INPUT = 'pr-command-permission';
export const REQUIREMENTS_INPUT = 'pr-command-requirements';
export const ALLOW_FORKS_INPUT = 'pr-command-allow-forks';
export const DEFAULT_REQUIREMENTS = 'approved';

/** `pr-command-permission`: `write` (the default), `maintain` or `admin`. */
export function parseRequiredRole(raw: string): RequiredRole {
  const value = raw.trim() || 'write';
  const role = REQUIRED_ROLES.find((r) => r === value);
  if (role) return role;
  throw new PrCommandInputError(`Input '${PERMISSION_INPUT}' is '${value}': use one of ${REQUIRED_ROLES.join(', ')}.`);
}

/**
 * `pr-command-requirements`: a comma- or newline-separated list of `approved` and `mergeable`
 * (default `approved`), or `none`, for what `up` and `refresh` need beyond an open pull request.
 */
export function parseRequirements(raw: string): Requirement[] {
  const items = (raw.trim() || DEFAULT_REQUIREMENTS)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'none') return [];
  const unknown = items.find((item) => !(REQUIREMENTS as readonly string[]).includes(item));
  if (unknown !== undefined) {
    throw new PrCommandInputError(
      `Input '${REQUIREMENTS_INPUT}' has '${unknown}': list ${REQUIREMENTS.join(' and ')} (comma-separated), or write none alone for no requirements beyond an open pull request.`,
    );
  }
  return [...new Set(items as Requirement[])];
}

/** The reactions on the command comment: seen, done, and refused or failed. */
export const REACTIONS = { started: 'eyes', succeeded: 'rocket', failed: 'confused' } as const;
export type CommandReaction = (typeof REACTIONS)[keyof typeof REACTIONS];

/** The step outputs of `command: comment`; empty when no command ran, as for an ordinary comment. */
export function prCommandOutputs(ran?: { command: PrCommandName; headSha: string }): Record<'pr-command' | 'pr-head-sha', string> {
  return { 'pr-command': ran?.command ?? '', 'pr-head-sha': ran?.headSha ?? '' };
}

/** The marker that makes a reply findable (after a create GitHub answered with a 5xx) and tells it from the sticky comment. */
export function replyMarker(commentId: number): string {
  return `<!-- pulumi-stack-action:pr-command-reply comment=${commentId} -->`;
}

/** The reply posted on the pull request: the refusal, after a link to the command it answers, and the marker. */
export function replyBody(to: { commentId: number; commentUrl?: string }, text: string): string {
  const about = to.commentUrl ? `[This command](${to.commentUrl})` : 'The command';
  return `${replyMarker(to.commentId)}\n${about} did not run. ${text}`;
}
