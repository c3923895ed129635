// What a pull-request lock is, as every stage speaks of it: a pull request's claim on a stack, and
// what the report says of the lock. The decisions are plan/pr-lock.ts's, the tags and GitHub's
// answers operation/pr-lock-claim.ts's.

/** A pull request's claim on the stack. */
export interface LockClaim {
  pullNumber: number;
  /** When it was made, where the tag's value says so. */
  since?: string;
}

/** What the report says of the lock: who holds the stack once the run is done, and what it released. */
export interface LockReport {
  stack: string;
  /** The pull request the run acts for, if any. */
  self?: number;
  /** The open pull request holding the stack; absent when none does. */
  holder?: LockClaim;
  /** Claims of pull requests closed (or merged) that the run removed. */
  released: number[];
}
