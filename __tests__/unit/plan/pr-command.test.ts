import { describe, expect, it } from '@jest/globals';
import { parseCommentEvent } from '../../../src/inputs/comment-event.js';
import type { ApprovalRules, CommandGate, PrCommand, PullRequestReview, PullRequestState, Requirement } from '../../../src/model/pr-command.js';
import {
  approvalRule,
  approversToAsk,
  effectiveRole,
  forkGate,
  forkSource,
  headGate,
  latestVerdicts,
  permissionGate,
  requirementsApply,
  requirementsGate,
  stackGate,
} from '../../../src/plan/pr-command.js';
import { examplePayload, prCommentPayload } from '../../support/webhook-examples.js';

/** The example payload's pull request. */
const PULL: number = examplePayload('issue_comment', (p) => p.action === 'created').issue.number;

/** A command as the inputs stage reads it from a comment (inputs/comment-event.test.ts tests that reading). */
function command(body: string, login = 'octocat'): PrCommand {
  const event = parseCommentEvent(prCommentPayload({ body, login }));
  if (event.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(event)}`);
  return event.command;
}

function reply(gate: CommandGate): string {
  if (gate.allowed) throw new Error(`allowed: ${gate.reason}`);
  return gate.reply;
}

describe('stackGate', () => {
  it('runs a named stack the step lists, on exactly that name', () => {
    expect(stackGate(command('/pulumi up prod'), ['staging', 'prod'])).toMatchObject({ allowed: true, stack: 'prod' });
    expect(stackGate(command('/pulumi up Prod'), ['staging', 'prod']).allowed).toBe(false);
  });

  it('refuses a stack the step does not list, naming those it does', () => {
    const text = reply(stackGate(command('/pulumi up prd'), ['staging', 'prod']));
    expect(text).toBe('There is no stack <code>prd</code> here. The stacks are <code>staging</code>, <code>prod</code>: for example <code>/pulumi up staging</code>.');
  });

  it("runs the step's only stack when none is named", () => {
    expect(stackGate(command('/pulumi preview'), ['dev'])).toEqual({ allowed: true, reason: "the step's only stack, 'dev'", stack: 'dev' });
  });

  it('makes the commenter choose among several, rather than run them all', () => {
    expect(reply(stackGate(command('/pulumi up'), ['staging', 'prod']))).toMatch(/^Name the stack: .*<code>\/pulumi up staging<\/code>/);
  });

  it('says when the step lists no stacks', () => {
    expect(reply(stackGate(command('/pulumi up'), []))).toMatch(/lists no stacks/);
  });
});

describe('permissionGate', () => {
  // Each as GitHub reports it: `permission` is the legacy base role, `role_name` the role itself.
  const READ = { permission: 'read', roleName: 'read' };
  const TRIAGE = { permission: 'read', roleName: 'triage' };
  const WRITE = { permission: 'write', roleName: 'write' };
  const MAINTAIN = { permission: 'write', roleName: 'maintain' };
  const ADMIN = { permission: 'admin', roleName: 'admin' };
  const NONE = { permission: 'none', roleName: 'none' };

  it.each([
    [READ, 'write', false],
    [TRIAGE, 'write', false],
    [WRITE, 'write', true],
    [MAINTAIN, 'write', true],
    [ADMIN, 'write', true],
    [WRITE, 'maintain', false],
    [MAINTAIN, 'maintain', true],
    [MAINTAIN, 'admin', false],
    [ADMIN, 'admin', true],
    [NONE, 'write', false],
  ] as const)('%j against %s: %s', (granted, required, allowed) => {
    expect(permissionGate('octocat', granted, required).allowed).toBe(allowed);
  });

  it('ranks a custom role by its base permission, never above it', () => {
    expect(effectiveRole({ permission: 'write', roleName: 'deployer' })).toBe('write');
    expect(permissionGate('octocat', { permission: 'write', roleName: 'deployer' }, 'maintain').allowed).toBe(false);
    expect(effectiveRole({ permission: 'none', roleName: 'auditor' })).toBeUndefined();
  });

  it('says, for the log only, what the commenter has and what it takes', () => {
    expect(permissionGate('octocat', TRIAGE, 'write')).toEqual({
      allowed: false,
      reason: 'octocat has the triage role, and running /pulumi commands here takes write access or more, so the comment gets no answer.',
    });
    expect(permissionGate('octocat', NONE, 'admin').reason).toMatch(/^octocat has no role in this repository, .* takes admin access/);
  });
});

describe('requirementsGate', () => {
  const HEAD = 'a'.repeat(40);
  const EARLIER = 'e'.repeat(40);
  const HERE = { id: 1296269, fullName: 'Codertocat/Hello-World' };
  const OPEN: PullRequestState = { number: PULL, headSha: HEAD, state: 'open', merged: false, mergeable: true, headRepository: HERE, baseRepository: HERE };
  const FORK: PullRequestState = { ...OPEN, headRepository: { id: 77, fullName: 'stranger/Hello-World' } };
  const RULES: ApprovalRules = { requirements: ['approved'], staleApprovals: false, allowForks: false };
  const review = (reviewer: string, state: PullRequestReview['state'], reviewerIsBot = false, commitId: string | null = HEAD): PullRequestReview => ({ reviewer, reviewerIsBot, state, commitId });
  const WRITE = { permission: 'write', roleName: 'write' };
  const READ = { permission: 'read', roleName: 'read' };
  // What GitHub would answer for each approver the admission asks about.
  const ROLES = new Map([
    ['hubot', WRITE],
    ['monalisa', { permission: 'admin', roleName: 'admin' }],
    ['a_b', { permission: 'write', roleName: 'maintain' }],
  ]);
  const gate = (c: PrCommand, pull: PullRequestState, reviews: PullRequestReview[], requirements: Requirement[], rules: Partial<ApprovalRules> = {}, approverRoles = ROLES) =>
    requirementsGate(c, pull, { reviews, approverRoles }, { ...RULES, requirements, ...rules });
  const up = () => command('/pulumi up prod', 'octocat');

  it('holds only up and refresh', () => {
    expect(['preview', 'up', 'refresh', 'destroy'].filter((c) => requirementsApply(c as PrCommand['command']))).toEqual(['up', 'refresh']);
    const closed = { ...OPEN, state: 'closed' as const };
    expect(gate(command('/pulumi preview'), closed, [], ['approved'])).toEqual({ allowed: true, reason: 'a preview changes nothing' });
    expect(gate(command('/pulumi destroy prod'), closed, [], ['approved'])).toMatchObject({ allowed: true, reason: expect.stringMatching(/PULUMI_DESTROY_APPROVED/) });
    expect(gate(command('/pulumi refresh'), closed, [], ['approved']).allowed).toBe(false);
  });

  it('allows an open pull request approved by someone else', () => {
    expect(gate(up(), OPEN, [review('hubot', 'APPROVED')], ['approved'])).toEqual({
      allowed: true,
      reason: 'the pull request meets the requirements (open, approved)',
    });
  });

  it('refuses one nobody approved, saying what it needs', () => {
    expect(reply(gate(up(), OPEN, [review('hubot', 'COMMENTED')], ['approved']))).toBe(
      '<code>/pulumi up</code> changes the stack, so the pull request must be open and approved at its head by someone with write access other than whoever comments the command. Not yet: nobody has approved it.',
    );
  });

  it("refuses the commenter's own approval", () => {
    expect(reply(gate(up(), OPEN, [review('OctoCat', 'APPROVED')], ['approved']))).toMatch(/the only approval is by octocat, who commented the command/);
  });

  it("refuses an app's approval: a person must approve", () => {
    expect(reply(gate(up(), OPEN, [review('approve-bot[bot]', 'APPROVED', true)], ['approved']))).toMatch(/nobody has approved it/);
  });

  it('counts an approval only from someone with write access or more, as GitHub reports the role', () => {
    const roles = new Map([
      ['hubot', READ],
      ['monalisa', { permission: 'read', roleName: 'triage' }],
      ['deployer', { permission: 'write', roleName: 'release-manager' }],
    ]);
    const reviews = [review('hubot', 'APPROVED'), review('monalisa', 'APPROVED')];
    expect(reply(gate(up(), OPEN, reviews, ['approved'], {}, roles))).toMatch(
      /Not yet: an approval counts only from someone with write access or more, and hubot has the read role and monalisa has the triage role\.$/,
    );
    // An approver GitHub was not asked about (or does not know) has no role here.
    expect(reply(gate(up(), OPEN, [review('ghost', 'APPROVED')], ['approved'], {}, roles))).toMatch(/ghost has no role in this repository/);
    // A custom role counts by its base permission.
    expect(gate(up(), OPEN, [...reviews, review('deployer', 'APPROVED')], ['approved'], {}, roles).allowed).toBe(true);
  });

  it('counts an approval only of the head, unless stale approvals are allowed', () => {
    const earlier = [review('hubot', 'APPROVED', false, EARLIER)];
    expect(reply(gate(up(), OPEN, earlier, ['approved']))).toMatch(/Not yet: hubot approved an earlier commit, not the head <code>aaaaaaaaaaaa<\/code>: the head itself must be approved\.$/);
    expect(gate(up(), OPEN, earlier, ['approved'], { staleApprovals: true })).toMatchObject({ allowed: true });
    expect(reply(gate(up(), OPEN, earlier, ['approved'], { staleApprovals: true }, new Map()))).toMatch(/hubot has no role/);
    // GitHub names no commit once the reviewed one is gone: not the head.
    expect(gate(up(), OPEN, [review('hubot', 'APPROVED', false, null)], ['approved']).allowed).toBe(false);
    expect(gate(up(), OPEN, [review('hubot', 'APPROVED', false, HEAD.toUpperCase())], ['approved']).allowed).toBe(true);
    // A reader's approval of the head beside a writer's of an earlier commit: both said.
    const mixed = [review('hubot', 'APPROVED', false, EARLIER), review('ghost', 'APPROVED')];
    expect(reply(gate(up(), OPEN, mixed, ['approved']))).toMatch(/ghost has no role in this repository; hubot approved an earlier commit/);
  });

  it("takes each reviewer's latest verdict: a later change request or dismissal undoes an approval, a comment does not", () => {
    const reviews = [review('hubot', 'APPROVED'), review('hubot', 'COMMENTED'), review('monalisa', 'APPROVED'), review('monalisa', 'DISMISSED')];
    expect(gate(up(), OPEN, reviews, ['approved']).allowed).toBe(true);
    expect(reply(gate(up(), OPEN, [...reviews, review('hubot', 'CHANGES_REQUESTED')], ['approved']))).toMatch(/Not yet: hubot requested changes\.$/);
    expect(gate(up(), OPEN, [review('hubot', 'CHANGES_REQUESTED'), review('hubot', 'APPROVED')], ['approved']).allowed).toBe(true);
    expect(gate(up(), OPEN, [review('hubot', 'APPROVED'), review('hubot', 'DISMISSED')], ['approved']).allowed).toBe(false);
    expect(gate(up(), OPEN, [review('hubot', 'APPROVED'), review('hubot', 'PENDING')], ['approved']).allowed).toBe(true);
  });

  it("refuses while anyone's latest review requests changes, even beside an approval", () => {
    const reviews = [review('hubot', 'APPROVED'), review('monalisa', 'CHANGES_REQUESTED')];
    expect(reply(gate(up(), OPEN, reviews, ['approved']))).toMatch(/monalisa requested changes/);
    // Of any commit, by anyone: a change request is undone by its author's approval or a dismissal.
    expect(gate(up(), OPEN, [review('hubot', 'APPROVED'), review('stranger', 'CHANGES_REQUESTED', false, EARLIER)], ['approved']).allowed).toBe(false);
  });

  it('ignores reviews of deleted accounts, and escapes reviewer names', () => {
    expect(latestVerdicts([review('', 'CHANGES_REQUESTED'), review('a_b', 'APPROVED')])).toEqual(new Map([['a_b', { reviewer: 'a_b', state: 'APPROVED', isBot: false, commitId: HEAD }]]));
    expect(reply(gate(up(), OPEN, [review('a_b', 'CHANGES_REQUESTED')], ['approved']))).toContain('a\\_b requested changes');
  });

  it('refuses a closed or merged pull request, whatever the reviews', () => {
    const approved = [review('hubot', 'APPROVED')];
    expect(reply(gate(up(), { ...OPEN, state: 'closed' }, approved, ['approved']))).toMatch(/Not yet: it is closed\.$/);
    expect(reply(gate(up(), { ...OPEN, state: 'closed', merged: true }, approved, []))).toMatch(/must be open\. Not yet: it is merged already\.$/);
  });

  it('with mergeable, refuses conflicts and waits out a mergeability GitHub is still computing', () => {
    const approved = [review('hubot', 'APPROVED')];
    expect(gate(up(), OPEN, approved, ['approved', 'mergeable']).allowed).toBe(true);
    expect(reply(gate(up(), { ...OPEN, mergeable: false }, approved, ['approved', 'mergeable']))).toMatch(
      /must be open, approved at its head by someone with write access other than whoever comments the command and mergeable\. Not yet: it cannot be merged/,
    );
    expect(reply(gate(up(), { ...OPEN, mergeable: null }, approved, ['mergeable']))).toMatch(/not yet worked out whether it can be merged/);
    expect(gate(up(), { ...OPEN, mergeable: false }, approved, ['approved']).allowed).toBe(true);
  });

  it('lists every unmet requirement at once', () => {
    const text = reply(gate(up(), { ...OPEN, state: 'closed', mergeable: false }, [], ['approved', 'mergeable']));
    expect(text).toMatch(/Not yet: it is closed; nobody has approved it; it cannot be merged/);
  });

  it('without approved, needs only an open pull request', () => {
    expect(gate(up(), OPEN, [], [])).toEqual({ allowed: true, reason: 'the pull request meets the requirements (open, nothing more)' });
  });

  it("needs an approval of the head for every command on a fork's code, whatever the requirements and stale approvals", () => {
    for (const name of ['preview', 'destroy', 'up', 'refresh']) {
      expect(approvalRule(name as PrCommand['command'], FORK, { ...RULES, requirements: [], staleApprovals: true })).toEqual({ atHead: true });
    }
    expect(approvalRule('preview', OPEN, RULES)).toBeUndefined();
    expect(approvalRule('up', OPEN, { ...RULES, staleApprovals: true })).toEqual({ atHead: false });
    expect(approvalRule('up', OPEN, { ...RULES, requirements: ['mergeable'] })).toBeUndefined();

    expect(reply(gate(command('/pulumi preview'), FORK, [], [], { allowForks: true }))).toBe(
      '<code>/pulumi preview</code> runs code from the fork <code>stranger/Hello-World</code>, so the pull request must be approved at its head by someone with write access other than whoever comments the command. Not yet: nobody has approved it.',
    );
    expect(reply(gate(up(), FORK, [review('hubot', 'APPROVED', false, EARLIER)], [], { allowForks: true, staleApprovals: true }))).toMatch(
      /^<code>\/pulumi up<\/code> changes the stack and runs code from the fork <code>stranger\/Hello-World<\/code>, so the pull request must be open and approved at its head .* Not yet: hubot approved an earlier commit/,
    );
    expect(gate(command('/pulumi destroy'), FORK, [review('hubot', 'APPROVED')], [], { allowForks: true })).toEqual({
      allowed: true,
      reason: 'the pull request meets the requirements (approved)',
    });
  });
});

describe('approversToAsk', () => {
  const HEAD = 'a'.repeat(40);
  const review = (reviewer: string, state: PullRequestReview['state'], commitId: string | null = HEAD, reviewerIsBot = false): PullRequestReview => ({ reviewer, reviewerIsBot, state, commitId });

  it('lists the approvals that count once their authors have write access, in order, and no one else', () => {
    const reviews = [
      review('hubot', 'APPROVED'),
      review('octocat', 'APPROVED'),
      review('helper[bot]', 'APPROVED', HEAD, true),
      review('old', 'APPROVED', 'e'.repeat(40)),
      review('monalisa', 'APPROVED'),
      review('gone', 'APPROVED'),
      review('gone', 'DISMISSED'),
    ];
    expect(approversToAsk('OctoCat', reviews, HEAD, true)).toEqual(['hubot', 'monalisa']);
    expect(approversToAsk('octocat', reviews, HEAD, false)).toEqual(['hubot', 'old', 'monalisa']);
  });

  it('asks about nobody while a change request stands', () => {
    expect(approversToAsk('octocat', [review('hubot', 'APPROVED'), review('monalisa', 'CHANGES_REQUESTED')], HEAD, true)).toEqual([]);
  });
});

describe('forkGate', () => {
  const HERE = { id: 1296269, fullName: 'Codertocat/Hello-World' };
  const pull = (headRepository: PullRequestState['headRepository']): PullRequestState => ({
    number: PULL,
    headSha: 'a'.repeat(40),
    state: 'open',
    merged: false,
    mergeable: true,
    headRepository,
    baseRepository: HERE,
  });

  it("knows a branch of the repository itself from a fork's, by the repository's id, and a deleted fork", () => {
    expect(forkSource(pull(HERE))).toBeUndefined();
    expect(forkSource(pull({ id: HERE.id, fullName: 'codertocat/hello-world' }))).toBeUndefined();
    expect(forkSource(pull({ id: 77, fullName: 'Codertocat/Hello-World-fork' }))).toBe('the fork <code>Codertocat/Hello-World-fork</code>');
    expect(forkSource(pull(null))).toBe('a fork that has since been deleted');
  });

  it('refuses a fork’s pull request, saying why and how to allow it', () => {
    expect(forkGate(pull(HERE), false).allowed).toBe(true);
    expect(reply(forkGate(pull({ id: 77, fullName: 'stranger/Hello-World' }), false))).toBe(
      "This pull request comes from the fork <code>stranger/Hello-World</code>, and this workflow runs no commands on pull requests from forks: a command runs the pull request's code with the workflow's secrets, and whoever pushed that code needs no access to this repository. " +
        "To allow them, the workflow can set <code>pr-command-allow-forks: true</code>; each command on a fork's pull request then needs an approval of its head by someone with write access other than whoever comments the command.",
    );
    expect(reply(forkGate(pull(null), false))).toMatch(/^This pull request comes from a fork that has since been deleted, /);
    expect(forkGate(pull(null), true).allowed).toBe(true);
  });
});

describe('headGate', () => {
  const pull = { number: PULL, headSha: 'c0ffee'.padEnd(40, '1') };

  it('allows the checked-out head, in either case', () => {
    expect(headGate(pull, pull.headSha.toUpperCase()).allowed).toBe(true);
  });

  it('refuses another commit and says what to check out', () => {
    expect(reply(headGate(pull, 'deadbeef'.padEnd(40, '0')))).toBe(
      `The workflow checked out <code>deadbeef0000</code>, but the head of this pull request is <code>c0ffee111111</code>. ` +
        `Check out the pull request's head (actions/checkout with <code>ref: refs/pull/${PULL}/head</code>); if a commit was pushed after the command, comment the command again.`,
    );
  });
});
