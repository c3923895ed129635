// The edge of pull-request commands: reads what the pure checks in plan/pr-command.ts need (the commenter's
// role, the pull request, its reviews and its approvers' roles, the checked-out commit), in their
// order and only as far as needed, and gives the feedback on the command comment (reactions, the
// reply to a refusal), never before the commenter's role is known to be enough. What it admits, the
// pipeline runs as any other command; `finishPrCommand` then marks the comment.
import { collaboratorPermission, gitHubFailure, pullRequestReviews, pullRequestState, reactToComment, replyOnPullRequest, type GitHub } from '../workspace/github.js';
import { parseCommentEvent } from '../inputs/comment-event.js';
import {
  REACTIONS,
  type ApprovalRules,
  type CollaboratorPermission,
  type CommandReaction,
  type PrCommand,
  type PullRequestReview,
  type PullRequestState,
  type RequiredRole,
} from '../model/pr-command.js';
import { approvalRule, approversToAsk, forkGate, hasRole, headGate, permissionGate, requirementsApply, requirementsGate, stackGate } from '../plan/pr-command.js';
import { replyBody } from '../workspace/github-comment.js';
import { checkedOutCommit } from '../workspace/git-head.js';

export interface PrCommandSettings extends ApprovalRules {
  /** The stacks a comment may name (the `stack` input's list). */
  stacks: readonly string[];
  requiredRole: RequiredRole;
}

/** What admission reads and writes; `gitHubPrCommandIo` is the real one. */
export interface PrCommandIo {
  /** A user's role in the repository: the commenter's, and an approver's. */
  permission(login: string): Promise<CollaboratorPermission>;
  pullRequest(pullNumber: number, awaitMergeable: boolean): Promise<PullRequestState>;
  reviews(pullNumber: number): Promise<PullRequestReview[]>;
  checkedOutCommit(): Promise<string>;
  react(commentId: number, content: CommandReaction): Promise<void>;
  /** Posts the reply and returns its URL. */
  reply(pullNumber: number, body: string): Promise<string>;
}

export function gitHubPrCommandIo(github: GitHub, owner: string, repo: string, workDir: string): PrCommandIo {
  return {
    permission: (login) => collaboratorPermission(github, owner, repo, login),
    pullRequest: (pullNumber, awaitMergeable) => pullRequestState(github, owner, repo, pullNumber, { awaitMergeable }),
    reviews: (pullNumber) => pullRequestReviews(github, owner, repo, pullNumber),
    checkedOutCommit: () => checkedOutCommit(workDir),
    react: (commentId, content) => reactToComment(github, owner, repo, commentId, content),
    reply: (pullNumber, body) => replyOnPullRequest(github, owner, repo, pullNumber, body),
  };
}

/**
 * `ignored`: not a command, or one by someone without the role; nothing to do, no feedback, only
 * the reason for the log. `refused`: answered with a reply (its URL,
 * unless posting it failed) and 😕. `admitted`: 👀 given; run `command.command` on `stack`, with the
 * pipeline's own gates (the destroy gate among them), then call `finishPrCommand`. `headSha` is the
 * head it runs; an `unlock` runs no code and has none.
 */
export type Admission =
  { kind: 'ignored'; reason: string } | { kind: 'refused'; command?: PrCommand; reply: string; replyUrl?: string } | { kind: 'admitted'; command: PrCommand; stack: string; headSha?: string };

/** A check could not be made (GitHub or git failed): the command did not run, and says why. */
export class AdmissionError extends Error {
  override name = 'AdmissionError';
}

/**
 * Reactions and replies are feedback: one that cannot be given is a warning. What the checks read
 * is not: without it nothing is decided, so a failure there is an `AdmissionError` (after 😕, once
 * the commenter is known to have the role: before that, the action says nothing on the pull request).
 */
export async function admitPrCommand(payload: unknown, settings: PrCommandSettings, io: PrCommandIo, warn: (message: string) => void): Promise<Admission> {
  const event = parseCommentEvent(payload);
  if (event.kind === 'ignored') return event;
  const feedback = async (what: string, give: () => Promise<unknown>): Promise<void> => {
    try {
      await give();
    } catch (err) {
      warn(`Could not ${what}: ${gitHubFailure(err)}.`);
    }
  };
  const refuse = async (to: { commentId: number; commentUrl?: string; pullNumber: number }, reply: string, command?: PrCommand): Promise<Admission> => {
    const replyUrl = await replyToCommand(to, reply, io, warn);
    await feedback('react to the command', () => io.react(to.commentId, REACTIONS.failed));
    return { kind: 'refused', ...(command ? { command } : {}), reply, ...(replyUrl ? { replyUrl } : {}) };
  };

  // Before any answer, to a malformed command too: a reply with the syntax is an answer like any other.
  const commenter = event.kind === 'command' ? event.command.commenter : event.commenter;
  const given = event.kind === 'command' ? `The command /pulumi ${event.command.command}` : 'The /pulumi command';
  let permission: CollaboratorPermission;
  try {
    permission = await io.permission(commenter);
  } catch (err) {
    throw new AdmissionError(`${given} did not run: could not read the commenter's role (${gitHubFailure(err)}).`);
  }
  const role = permissionGate(commenter, permission, settings.requiredRole);
  if (!role.allowed) return { kind: 'ignored', reason: role.reason };
  if (event.kind === 'malformed') return refuse(event, event.reply);

  const { command } = event;
  await feedback('react to the command', () => io.react(command.commentId, REACTIONS.started));
  const read = async <T>(what: string, reading: () => Promise<T>): Promise<T> => {
    try {
      return await reading();
    } catch (err) {
      await feedback('react to the command', () => io.react(command.commentId, REACTIONS.failed));
      throw new AdmissionError(`The command /pulumi ${command.command} did not run: could not read ${what} (${gitHubFailure(err)}).`);
    }
  };
  const refused = (gate: { allowed: false; reply: string }) => refuse(command, gate.reply, command);

  const stack = stackGate(command, settings.stacks);
  if (!stack.allowed) return refused(stack);
  // Releasing the pull request's own lock takes the role and nothing more: it runs no code.
  if (command.command === 'unlock') return { kind: 'admitted', command, stack: stack.stack };

  const held = requirementsApply(command.command);
  const pull = await read('the pull request', () => io.pullRequest(command.pullNumber, held && settings.requirements.includes('mergeable')));
  const fork = forkGate(pull, settings.allowForks);
  if (!fork.allowed) return refused(fork);

  const approval = approvalRule(command.command, pull, settings);
  const reviews = approval ? await read("the pull request's reviews", () => io.reviews(command.pullNumber)) : [];
  // Asked one by one, and only until one approver has write access: that one approval is enough.
  const approverRoles = new Map<string, CollaboratorPermission>();
  for (const approver of approval ? approversToAsk(command.commenter, reviews, pull.headSha, approval.atHead) : []) {
    const granted = await read(`the role of ${approver}, who approved`, () => io.permission(approver));
    approverRoles.set(approver.toLowerCase(), granted);
    if (hasRole(granted, 'write')) break;
  }
  const requirements = requirementsGate(command, pull, { reviews, approverRoles }, settings);
  if (!requirements.allowed) return refused(requirements);

  const checkedOut = await read('the checked-out commit', () => io.checkedOutCommit());
  const head = headGate(pull, checkedOut);
  if (!head.allowed) return refused(head);

  return { kind: 'admitted', command, stack: stack.stack, headSha: pull.headSha };
}

/** Posts a reply to the command on its pull request; returns its URL, or undefined (and a warning) when it could not be posted. */
export async function replyToCommand(to: { commentId: number; commentUrl?: string; pullNumber: number }, text: string, io: PrCommandIo, warn: (message: string) => void): Promise<string | undefined> {
  try {
    return await io.reply(to.pullNumber, replyBody(to, text));
  } catch (err) {
    warn(`Could not reply on the pull request: ${gitHubFailure(err)}.`);
    return undefined;
  }
}

/** Marks the command comment with how the admitted command ended: 🚀, or 😕 (a failure or a gate's refusal). */
export async function finishPrCommand(command: PrCommand, succeeded: boolean, io: PrCommandIo, warn: (message: string) => void): Promise<void> {
  try {
    await io.react(command.commentId, succeeded ? REACTIONS.succeeded : REACTIONS.failed);
  } catch (err) {
    warn(`Could not react to the command: ${gitHubFailure(err)}.`);
  }
}
