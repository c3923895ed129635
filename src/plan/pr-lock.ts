// Pull-request locks: a stack applied from a pull request belongs to it until it merges or closes, so
// a second pull request cannot undo its changes (its branch does not have them) and whichever merged
// last leave production in a state nobody reviewed. Pure: the claims a stack's tags hold, what they
// mean once GitHub has said which pull requests are still open, and every decision and text made of
// them. pr-lock-claim.ts reads and writes the tags and asks GitHub.
//
// A claim is a stack tag of its own per pull request, `pr-lock:<number>`, whose value is the time it
// was made: tags are stored with the stack on every backend, so every runner sees them and no other
// service is needed. The claim's protocol, and why it must wait before it trusts its own claim, is in
// pr-lock-claim.ts.
import { code } from '../base/markdown.js';
import type { LockClaim, LockReport } from '../model/pr-lock.js';

/** The tag of a pull request's claim. Pulumi allows `[A-Za-z0-9-_.:]`, at most 40 characters, in a tag's name. */
export const LOCK_TAG_PREFIX = 'pr-lock:';
const CLAIM_TAG = /^pr-lock:([1-9]\d{0,9})$/;
/** As `Date.toISOString` writes it; anything else in a claim's value is no time to show. */
const CLAIM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export function lockTag(pullNumber: number): string {
  return `${LOCK_TAG_PREFIX}${pullNumber}`;
}

/** The value a claim is written with: when it was made. */
export function claimValue(now: Date): string {
  return now.toISOString();
}

/**
 * The claims among a stack's tags, oldest first (then by number). Tags are anyone's to write who can
 * write the backend: only a name of the exact form counts, and a value only as a time.
 */
export function claimsIn(tags: Readonly<Record<string, string>>): LockClaim[] {
  const claims: LockClaim[] = [];
  for (const [name, value] of Object.entries(tags)) {
    const number = CLAIM_TAG.exec(name)?.[1];
    if (number === undefined) continue;
    claims.push({ pullNumber: Number(number), ...(CLAIM_TIME.test(value) ? { since: value } : {}) });
  }
  return claims.sort((a, b) => (a.since ?? '\uffff').localeCompare(b.since ?? '\uffff') || a.pullNumber - b.pullNumber);
}

/** What GitHub says of a claimant: still open, closed or merged, or unknown (GitHub could not be asked, or would not say). */
export type ClaimantState = 'open' | 'closed' | 'merged' | 'unknown';

/** The claims sorted by what they mean. */
export interface LockView {
  /** This run's pull request's own claim. */
  own?: LockClaim;
  /** Every other claim that holds: its pull request is open, or GitHub could not say otherwise. Oldest first. */
  others: LockClaim[];
  /** Claims that hold no more, and why: removed when seen. */
  stale: { claim: LockClaim; state: 'closed' | 'merged' }[];
}

/**
 * The claims whose pull request's state to ask GitHub about: every other one, but those whose state is
 * known already (the closed pull request of a `pull_request: closed` event, or asked before).
 */
export function claimantsToAsk(claims: readonly LockClaim[], self: number | undefined, known: ReadonlyMap<number, ClaimantState>): number[] {
  return claims.map((c) => c.pullNumber).filter((n) => n !== self && !known.has(n));
}

/**
 * A closed pull request's claim is never honoured, even if no run released it; one GitHub could not
 * be asked about is, since the lock exists to stop a deploy that undoes another's.
 */
export function lockView(claims: readonly LockClaim[], states: ReadonlyMap<number, ClaimantState>, self: number | undefined): LockView {
  const view: LockView = { others: [], stale: [] };
  for (const claim of claims) {
    if (claim.pullNumber === self) {
      view.own = claim;
      continue;
    }
    const state = states.get(claim.pullNumber) ?? 'unknown';
    if (state === 'closed' || state === 'merged') view.stale.push({ claim, state });
    else view.others.push(claim);
  }
  return view;
}

/** The pull request holding the stack, as far as a run can tell: the oldest claim that holds. */
export function lockHolder(view: LockView): LockClaim | undefined {
  return view.others[0] ?? view.own;
}

/**
 * Before a run that changes the stack writes anything: another pull request's claim refuses it; its
 * own claim means it holds the stack already (the holder's later commands write nothing); otherwise
 * it claims.
 */
export type ClaimStep = { kind: 'refuse'; holder: LockClaim } | { kind: 'hold' } | { kind: 'claim' };

export function claimStep(view: LockView): ClaimStep {
  if (view.others.length > 0) return { kind: 'refuse', holder: view.others[0]! };
  return view.own ? { kind: 'hold' } : { kind: 'claim' };
}

/**
 * Once its claim has settled: it holds only while its claim is there and no other is. A missing own
 * claim was overwritten by a writer that read the tags before it was written (the CLI rewrites the
 * whole set of tags), and that writer may be another claimant that now believes the stack free.
 */
export function claimSettled(view: LockView): boolean {
  return view.own !== undefined && view.others.length === 0;
}

/**
 * What a run does with the stack's lock. `claim`: it changes the stack for a pull request (`up`,
 * `refresh`, `destroy`), so it must hold the lock first. `look`: it reports who holds the stack and
 * releases claims of closed pull requests, beside its operation: a pull request's `preview` (which
 * changes nothing, and whose reviewers want to know), a command a gate refused, and a change outside
 * any pull request (a push to the default branch is held by no lock: branch protection with the
 * merge check keeps other pull requests from merging; its `up` after a merge is what releases the
 * merged pull request's claim). `none`: a throwaway stack (`smoke`, one matching `ephemeral-stacks`),
 * a preview outside any pull request, and a command that neither changes the stack nor previews a
 * change to it (`output`, `drift`): no CLI call for a lock they have no use for.
 */
export type LockMode = 'claim' | 'look' | 'none';

export function lockMode(command: string, ephemeral: boolean, forPullRequest: boolean, refused: boolean): LockMode {
  const changes = command === 'up' || command === 'refresh' || command === 'destroy';
  if (ephemeral || !(changes || (command === 'preview' && forPullRequest))) return 'none';
  return changes && forPullRequest && !refused ? 'claim' : 'look';
}

/** `2026-12-06 09:42 UTC` */
function shownTime(since: string | undefined): string {
  return since ? ` since ${since.slice(0, 10)} ${since.slice(11, 16)} UTC` : '';
}

/**
 * Why a command is refused, as the step's error (plain text) and as the reply on the pull request
 * (markdown). `holder` is absent when another claim appeared at the same moment and this run gave way.
 */
export function lockRefusal(stack: string, command: string, holder: LockClaim | undefined): { message: string; reply: string } {
  if (!holder) {
    return {
      message: `Stack '${stack}' was claimed by another pull request at the same moment, and this run gave way: run the command again.`,
      reply: `Stack ${code(stack)} was claimed by another pull request at the same moment, and this command gave way: comment it again.`,
    };
  }
  const n = holder.pullNumber;
  const unlock = `/pulumi unlock ${stack}`;
  return {
    message:
      `Stack '${stack}' is locked by pull request #${n}, which applied it before merging, so a ${command} from another pull request would undo its changes: ` +
      `wait until #${n} merges or closes, or comment '${unlock}' on #${n} to release it, then run this again.`,
    reply:
      `Stack ${code(stack)} is locked by #${n}${shownTime(holder.since)}, which applied it before merging: a ${code(command)} from this pull request would undo its changes. ` +
      `The lock goes when #${n} merges or closes; to release it sooner, comment ${code(unlock)} on #${n}. Then comment this command again.`,
  };
}

/** The `lock` step output: the holder's number, empty when the stack is free. */
export function lockOutput(report: LockReport): string {
  return report.holder ? String(report.holder.pullNumber) : '';
}

/** The line in the PR comment and the job summary. */
export function lockLine(report: LockReport): string {
  const { holder, self } = report;
  const stack = code(report.stack);
  const unlock = code(`/pulumi unlock ${report.stack}`);
  const state = !holder
    ? `🔓 No pull request holds stack ${stack}.`
    : holder.pullNumber === self
      ? `🔒 This pull request holds stack ${stack}${shownTime(holder.since)}: no other pull request can apply it until this one merges or closes, or ${unlock} releases it.`
      : `🔒 Stack ${stack} is locked by #${holder.pullNumber}${shownTime(holder.since)}: only #${holder.pullNumber} can apply it until it merges or closes, or ${unlock} commented there releases it.`;
  const released = report.released.length > 0 ? ` Released the lock of ${report.released.map((n) => `#${n}`).join(', ')}, closed since.` : '';
  return `${state}${released}`;
}

/**
 * `/pulumi unlock [stack]` releases only the lock of the pull request it is commented on: a lock is
 * released where its pull request is discussed, by someone with the command permission there.
 */
export type UnlockStep = { kind: 'release' } | { kind: 'held-by-other'; holder: LockClaim } | { kind: 'free' };

export function unlockStep(view: LockView): UnlockStep {
  if (view.own) return { kind: 'release' };
  const holder = view.others[0];
  return holder ? { kind: 'held-by-other', holder } : { kind: 'free' };
}

/** The reply to an unlock of a stack another pull request holds. */
export function unlockReply(stack: string, self: number, holder: LockClaim): string {
  return (
    `Stack ${code(stack)} is locked by #${holder.pullNumber}${shownTime(holder.since)}, not by this pull request (#${self}), so there is nothing here to release. ` +
    `To release it, comment ${code(`/pulumi unlock ${stack}`)} on #${holder.pullNumber}; it goes by itself when #${holder.pullNumber} merges or closes.`
  );
}
