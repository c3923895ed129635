// The edge of pull-request locks: reads the stack's tags, asks GitHub whether each other claimant is
// still open, removes the claims of closed pull requests, and claims and releases. plan/pr-lock.ts decides.
//
// Tags give no compare-and-set, and the CLI writes them whole: `pulumi stack tag set` reads every
// tag of the stack and writes them all back with its own added (`rm` likewise), with no lock of the
// stack. So two writers that overlap lose an update: the later write erases a tag the earlier one
// added (measured: of 8 `tag set`s started together on a file:// backend, 3 of the tags survived).
// A claim written and then checked by a listing (the write-then-check of Pulumi's own lock files,
// each a file of its own) is therefore not enough: A writes its claim and sees only its own; B,
// whose `tag set` had read the tags before A's write, writes after it, erasing A's claim, and sees
// only its own; both go ahead. What makes it safe is Fischer's timed mutual exclusion: after writing
// its claim a run waits `settleMs`, longer than any writer takes from reading the tags to writing
// them, and only then lists them. Whatever overlapped its write has landed by then: a writer that
// read before it erased its claim (so it gives way), and one that read after kept it (so a rival's
// check sees it and gives way). It goes ahead only if its own claim is there and no other that
// holds. Rivals that started together usually all give way; the one with the lowest number tries
// again first, the others after it has had time to claim, so their next listing sees its claim.
// Removing a claim waits the same way (see `release`).
import { gitHubClient, gitHubFailure, pullRequestState } from '../workspace/github.js';
import * as log from '../base/log.js';
import { Cancelled } from '../base/run-context.js';
import type { StackSettings } from '../model/settings.js';
import { refusedByLock, type Plan } from '../plan/plan.js';
import { lockMode, lockRefusal } from '../plan/pr-lock.js';
import { pulumiErrorMessage } from '../workspace/engine.js';
import { opensConcurrently } from '../workspace/stack.js';
import { claimantsToAsk, claimSettled, claimsIn, claimValue, lockHolder, lockTag, lockView, type ClaimantState, type LockView } from '../plan/pr-lock.js';
import type { LockClaim, LockReport } from '../model/pr-lock.js';

/** What the lock reads and writes; `stackLockIo` is the real one, a simulated backend in the unit tests. */
export interface LockIo {
  tags(): Promise<Record<string, string>>;
  setTag(name: string, value: string): Promise<void>;
  removeTag(name: string): Promise<void>;
  /** GitHub's answer for this repository's pull request; throws when GitHub cannot be asked or will not say. */
  pullRequestState(pullNumber: number): Promise<Exclude<ClaimantState, 'unknown'>>;
  /** Waits; a cancelled run stops waiting with `Cancelled`, leaving any claim it wrote to be checked by its pull request's next run. */
  pause(ms: number): Promise<void>;
}

export interface LockTiming {
  /**
   * How long a claim waits before it trusts itself: longer than any `pulumi stack tag set` or `rm`
   * takes from reading the tags to writing them (a local read and write on a self-managed backend; a
   * GET and a PATCH on Pulumi Cloud).
   */
  settleMs: number;
  /** The longest random pause before the first of the runs that gave way claims again (the one with the lowest number). */
  firstBackoffMs: number;
  /** The longest random pause, after `settleMs`, before the others claim again. */
  backoffMs: number;
  /** How many claims a run writes before it gives up. */
  attempts: number;
  random: () => number;
  now(): Date;
}

export const LOCK_TIMING: LockTiming = { settleMs: 2_000, firstBackoffMs: 500, backoffMs: 2_000, attempts: 3, random: Math.random, now: () => new Date() };

/** How a run that changes the stack for a pull request fared with its lock. */
export type Hold = { holds: true; claimed: boolean } | { holds: false; holder?: LockClaim };

/**
 * One stack's lock, as one run sees it: the tags are listed once where that is enough, each other
 * claimant's state asked of GitHub once, and claims of closed pull requests removed when seen.
 */
export class StackLock {
  private readonly states: Map<number, ClaimantState>;
  private readonly released: number[] = [];
  private view: LockView = { others: [], stale: [] };
  private warnedAboutGitHub = false;

  constructor(
    private readonly io: LockIo,
    private readonly stack: string,
    /** The open pull request the run acts for, if any. */
    private readonly self: number | undefined,
    private readonly warn: (message: string) => void,
    /** Pull requests known closed already: a `pull_request: closed` event's. */
    knownClosed: readonly number[] = [],
    private readonly timing: LockTiming = LOCK_TIMING,
  ) {
    this.states = new Map(knownClosed.map((n) => [n, 'closed']));
  }

  /** Reads the claims, asks GitHub about new claimants, and removes the claims that hold no more. */
  async inspect(): Promise<LockView> {
    const claims = claimsIn(await this.io.tags());
    for (const pullNumber of claimantsToAsk(claims, this.self, this.states)) this.states.set(pullNumber, await this.ask(pullNumber));
    this.view = lockView(claims, this.states, this.self);
    for (const { claim, state } of this.view.stale) {
      try {
        await this.io.removeTag(lockTag(claim.pullNumber));
        if (!this.released.includes(claim.pullNumber)) this.released.push(claim.pullNumber);
      } catch (err) {
        this.warn(`Could not remove the lock of pull request #${claim.pullNumber} (${state}) from stack ${this.stack}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return this.view;
  }

  /**
   * For a run that changes the stack for its pull request: holds it already (a claim of an earlier
   * run), claims it, or is refused. See the protocol at the top of this file.
   */
  async hold(): Promise<Hold> {
    const self = this.self;
    if (self === undefined) throw new Error('StackLock.hold needs the pull request the run acts for');
    let view = await this.inspect();
    for (let attempt = 1; ; attempt++) {
      if (view.others.length > 0) return { holds: false, holder: view.others[0]! };
      // Only a claim left by an earlier run counts as held without a new one.
      if (attempt === 1 && view.own) return { holds: true, claimed: false };
      await this.io.setTag(lockTag(self), claimValue(this.timing.now()));
      await this.io.pause(this.timing.settleMs);
      view = await this.inspect();
      if (claimSettled(view)) return { holds: true, claimed: true };
      const yields = view.others.some((claim) => claim.pullNumber < self);
      view = await this.withdraw();
      if (attempt >= this.timing.attempts) return { holds: false, ...(view.others[0] ? { holder: view.others[0] } : {}) };
      const { random, settleMs, firstBackoffMs, backoffMs } = this.timing;
      await this.io.pause(Math.floor(yields ? settleMs + random() * backoffMs : random() * firstBackoffMs));
      view = await this.inspect();
    }
  }

  /**
   * Removes this run's pull request's claim, and makes sure it stays removed: a write that read the
   * tags before the removal and lands after it writes the claim back, and a claim written back so
   * would lock the stack for a pull request that gave way. So, as a claim does, the removal waits
   * until whatever overlapped it has landed, and removes the claim again while it is there.
   */
  async release(): Promise<void> {
    await this.withdraw();
  }

  private async withdraw(): Promise<LockView> {
    if (this.self === undefined) return this.view;
    for (let attempt = 1; ; attempt++) {
      await this.io.removeTag(lockTag(this.self));
      await this.io.pause(this.timing.settleMs);
      const view = await this.inspect();
      if (!view.own || attempt >= this.timing.attempts) return view;
    }
  }

  /** What the report says: the holder as last seen (this run's own claims and releases included), and the claims it removed. */
  report(): LockReport {
    const holder = lockHolder(this.view);
    return { stack: this.stack, ...(this.self === undefined ? {} : { self: this.self }), ...(holder ? { holder } : {}), released: [...this.released] };
  }

  /** GitHub's word, or `unknown`, which honours the claim: a lock must not open because GitHub could not be asked. */
  private async ask(pullNumber: number): Promise<ClaimantState> {
    try {
      return await this.io.pullRequestState(pullNumber);
    } catch (err) {
      if (!this.warnedAboutGitHub) {
        this.warn(
          `Could not ask GitHub whether pull request #${pullNumber}, which claims stack ${this.stack}, is still open (${gitHubFailure(err)}), so its claim is honoured: ` +
            `give the job 'pull-requests: read', or remove the tag ${lockTag(pullNumber)} by hand (pulumi stack tag rm) if that pull request is not this repository's.`,
        );
        this.warnedAboutGitHub = true;
      }
      return 'unknown';
    }
  }
}

/** The stack's side of the lock: its tags, through the CLI. */
export interface TaggedStack {
  tags(): Promise<Record<string, string>>;
  setTag(name: string, value: string): Promise<void>;
  removeTag(name: string): Promise<void>;
}

/**
 * The real LockIo: the stack's tags, and GitHub's pull requests of `repository` with `token` (the
 * client made only once a claimant must be asked about). Without either, every claimant is unknown.
 * A claim a cancelled run leaves is safe: it holds nothing until a later run of the same pull request
 * lists it, at least the settle time after it was written, which is the check the claim lacked.
 */
export function stackLockIo(stack: TaggedStack, github: { token?: string; apiUrl: string; repository?: { owner: string; repo: string } }, signal?: AbortSignal): LockIo {
  let client: ReturnType<typeof gitHubClient> | undefined;
  return {
    tags: () => stack.tags(),
    setTag: (name, value) => stack.setTag(name, value),
    removeTag: (name) => stack.removeTag(name),
    pullRequestState: async (pullNumber) => {
      const { token, repository } = github;
      if (!token || !repository) throw new Error(!token ? "'github-token' is empty" : 'GITHUB_REPOSITORY is not set');
      client ??= gitHubClient(token, github.apiUrl);
      // A 404 is no proof the pull request is gone: a token without access to it gets one too.
      const pull = await pullRequestState(await client, repository.owner, repository.repo, pullNumber);
      return pull.state === 'open' ? 'open' : pull.merged ? 'merged' : 'closed';
    },
    pause: (ms) =>
      new Promise((resolve, reject) => {
        const cancelled = () => {
          clearTimeout(timer);
          reject(new Cancelled('cancelled while claiming the stack for its pull request; nothing further was started.'));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', cancelled);
          resolve();
        }, ms);
        if (signal?.aborted) cancelled();
        else signal?.addEventListener('abort', cancelled, { once: true });
      }),
  };
}

/** The lock as one stack command uses it: taken (or only looked at) before the operation, settled after it. */
export interface RunLock {
  /** The run's plan, refused when another pull request holds the stack. */
  plan: Plan;
  /** Another pull request holds the stack: the reply for a comment command. */
  refusalReply?: string;
  /** Once the operation ran (`refused`: a later gate refused it): what the report says of the lock. */
  settle(refused: boolean): Promise<LockReport | undefined>;
}

/**
 * Claims the stack for the run's pull request where the command changes it (plan/pr-lock.ts's lockMode
 * says where), or looks at the lock beside the operation, releasing claims of closed pull requests.
 */
export async function lockForRun(stack: TaggedStack, settings: StackSettings, plan: Plan, signal: AbortSignal): Promise<RunLock> {
  const mode = lockMode(settings.command, settings.ephemeral, settings.pullRequest !== undefined, plan.refusal !== undefined);
  if (mode === 'none') return { plan, settle: async () => undefined };
  const closed = settings.github.closedPullRequest === undefined ? [] : [settings.github.closedPullRequest];
  const lock = new StackLock(stackLockIo(stack, { ...settings.github, token: settings.comment.token }, signal), settings.stack, settings.pullRequest?.number, log.warning, closed);
  if (mode === 'look') {
    // Only reported (and claims of closed pull requests released): it runs beside the operation,
    // where the backend lets two CLI processes open it together.
    const look = () => lock.inspect().catch((err: unknown) => log.warning(`Could not read the stack's pull-request lock: ${pulumiErrorMessage(err)}`));
    const looked = opensConcurrently(settings.backendUrl) ? look() : undefined;
    return {
      plan,
      settle: async () => {
        await (looked ?? look());
        return lock.report();
      },
    };
  }
  const hold = await lock.hold();
  if (!hold.holds) {
    const refusal = lockRefusal(settings.stack, settings.command, hold.holder);
    return { plan: refusedByLock(plan, refusal.message), refusalReply: refusal.reply, settle: async () => lock.report() };
  }
  return {
    plan,
    settle: async (refused) => {
      // A gate that refused after the claim (deletes-need-approval) applied nothing: the claim goes too.
      if (hold.claimed && refused) await lock.release().catch((err: unknown) => log.warning(`Could not release the lock this run claimed: ${pulumiErrorMessage(err)}`));
      return lock.report();
    },
  };
}
