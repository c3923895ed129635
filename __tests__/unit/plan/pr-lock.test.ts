// Pull-request locks: the claims a stack's tags hold, what they mean, and the texts made of them. The
// claim protocol that writes them is operation/pr-lock-claim.test.ts's.
import { describe, expect, it } from '@jest/globals';
import { claimsIn, claimStep, lockLine, lockMode, lockOutput, lockRefusal, lockTag, lockView, unlockReply, unlockStep, type ClaimantState } from '../../../src/plan/pr-lock.js';

const T0 = '2026-12-06T09:42:00.000Z';

describe('claims in tags', () => {
  it('reads only tags named pr-lock:<number>, oldest first, and a value only as a time', () => {
    const claims = claimsIn({
      'pr-lock:12': '2026-12-06T10:00:00.000Z',
      'pr-lock:7': T0,
      'pr-lock:9': 'yesterday, by @mallory',
      'pr-lock:0': T0,
      'pr-lock:012': T0,
      'pr-lock:x': T0,
      'pr-lock:1:2': T0,
      'PR-LOCK:3': T0,
      'pulumi:project': 'infra',
      'ephemeral:pull-request': '5',
    });
    expect(claims).toEqual([{ pullNumber: 7, since: T0 }, { pullNumber: 12, since: '2026-12-06T10:00:00.000Z' }, { pullNumber: 9 }]);
  });

  it('names a claim within the 40 characters Pulumi allows a tag name, of the characters it allows', () => {
    expect(lockTag(9_999_999_999)).toBe('pr-lock:9999999999');
    expect(lockTag(9_999_999_999)).toMatch(/^[a-zA-Z0-9-_.:]{1,40}$/);
  });

  it('honours open claims and those GitHub could not say anything about; closed and merged ones are stale', () => {
    const claims = claimsIn({ 'pr-lock:1': T0, 'pr-lock:2': T0, 'pr-lock:3': T0, 'pr-lock:4': T0, 'pr-lock:5': T0 });
    const states = new Map<number, ClaimantState>([
      [1, 'open'],
      [2, 'closed'],
      [3, 'merged'],
      [4, 'unknown'],
    ]);
    const view = lockView(claims, states, 5);
    expect(view.own).toEqual({ pullNumber: 5, since: T0 });
    expect(view.others.map((c) => c.pullNumber)).toEqual([1, 4]);
    expect(view.stale.map((s) => [s.claim.pullNumber, s.state])).toEqual([
      [2, 'closed'],
      [3, 'merged'],
    ]);
    expect(claimStep(view)).toEqual({ kind: 'refuse', holder: { pullNumber: 1, since: T0 } });
    expect(claimStep(lockView(claims.slice(4), states, 5))).toEqual({ kind: 'hold' });
    expect(claimStep(lockView([], states, 5))).toEqual({ kind: 'claim' });
  });
});

describe('lockMode', () => {
  it.each([
    ['up', false, true, false, 'claim'],
    ['refresh', false, true, false, 'claim'],
    ['destroy', false, true, false, 'claim'],
    ['destroy', false, true, true, 'look'],
    ['preview', false, true, false, 'look'],
    ['up', false, false, false, 'look'],
    ['preview', false, false, false, 'none'],
    ['up', true, true, false, 'none'],
    ['smoke', true, true, false, 'none'],
    ['drift', false, true, false, 'none'],
    ['output', false, true, false, 'none'],
  ] as const)('%s (ephemeral %s, for a pull request %s, refused %s): %s', (command, ephemeral, forPullRequest, refused, mode) => {
    expect(lockMode(command, ephemeral, forPullRequest, refused)).toBe(mode);
  });
});

describe('texts', () => {
  it('refuses naming the holder and how to release it', () => {
    const { message, reply } = lockRefusal('prod', 'up', { pullNumber: 12, since: T0 });
    expect(message).toBe(
      "Stack 'prod' is locked by pull request #12, which applied it before merging, so a up from another pull request would undo its changes: wait until #12 merges or closes, or comment '/pulumi unlock prod' on #12 to release it, then run this again.",
    );
    expect(reply).toContain('Stack <code>prod</code> is locked by #12 since 2026-12-06 09:42 UTC');
    expect(reply).toContain('comment <code>/pulumi unlock prod</code> on #12');
    expect(lockRefusal('prod', 'up', undefined).message).toMatch(/claimed by another pull request at the same moment/);
  });

  it('says who holds the stack in the report, and the lock output is the number', () => {
    const holder = { pullNumber: 12, since: T0 };
    expect(lockLine({ stack: 'prod', self: 12, holder, released: [] })).toMatch(/^🔒 This pull request holds stack <code>prod<\/code> since 2026-12-06 09:42 UTC: /);
    expect(lockLine({ stack: 'prod', self: 13, holder, released: [] })).toMatch(/^🔒 Stack <code>prod<\/code> is locked by #12 since .*only #12 can apply it/);
    expect(lockLine({ stack: 'prod', released: [3, 4] })).toBe('🔓 No pull request holds stack <code>prod</code>. Released the lock of #3, #4, closed since.');
    expect([lockOutput({ stack: 'prod', holder, released: [] }), lockOutput({ stack: 'prod', released: [] })]).toEqual(['12', '']);
  });

  it('releases only the own lock on unlock, and otherwise names the holder', () => {
    const states = new Map<number, ClaimantState>([[12, 'open']]);
    expect(unlockStep(lockView(claimsIn({ 'pr-lock:13': T0 }), states, 13))).toEqual({ kind: 'release' });
    expect(unlockStep(lockView(claimsIn({ 'pr-lock:12': T0 }), states, 13))).toEqual({ kind: 'held-by-other', holder: { pullNumber: 12, since: T0 } });
    expect(unlockStep(lockView([], states, 13))).toEqual({ kind: 'free' });
    expect(unlockReply('prod', 13, { pullNumber: 12 })).toContain('comment <code>/pulumi unlock prod</code> on #12');
  });
});
