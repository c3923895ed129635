// pr-commands.yml under nektos/act, against Pulumi Cloud (the stand-in), on GitHub's example
// issue_comment payload made a comment on a pull request: the `if:` that starts no runner for other comments, the job that reads the named
// stack for the concurrency group, and the action answering the command on the checked-out head,
// refusing a fork's pull request, and saying nothing at all to a commenter without write access.
// Then the stack's lock, in Pulumi Cloud's tags: the pull request that applied it holds it, another's up is refused, a
// closed holder's lock is not honoured, and GitHub's example pull_request `closed` payload starts
// the release job, which removes the closed pull request's lock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { replyMarker } from '../../src/workspace/github-comment.js';
import { prCommentPayload } from '../support/webhook-examples.js';
import {
  actionSteps,
  addWorkflow,
  EXAMPLE_REPOSITORY,
  exampleWorkflow,
  jobOf,
  pulumiCli,
  pullRequestEvent,
  resultOf,
  stacksOf,
  startActSuite,
  type ActRepository,
  type ActSuite,
} from '../support/act.js';

const { owner, repo: name } = EXAMPLE_REPOSITORY;

let suite: ActSuite;
let repo: ActRepository;
let workflow: string;
let head: string;

beforeAll(async () => {
  suite = await startActSuite();
  repo = suite.repository();
  workflow = addWorkflow(repo, 'pr-commands.yml', exampleWorkflow('pr-commands.yml'));
  // The checkout copies this repository, so its head is the commit the action finds checked out.
  head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
});

afterAll(() => suite.close());

/**
 * A comment on the example's pull request, which GitHub has under the id the event gives; the pull
 * request's head is a branch of the repository itself unless `headRepository` names a fork.
 */
function commentEvent(body: string, options: { login?: string; headRepository?: string; pullNumber?: number } = {}) {
  const login = options.login ?? 'octocat';
  const payload = prCommentPayload({ body, login, ...(options.pullNumber ? { pullNumber: options.pullNumber } : {}) });
  const pull: number = payload.issue.number;
  suite.api.setPermission(owner, name, 'octocat', 'write');
  suite.api.setPermission(owner, name, 'hubot', 'write');
  suite.api.setPullRequest(owner, name, pull, { headSha: head, headRepository: options.headRepository ?? `${owner}/${name}` });
  const [comment] = suite.api.seedComments(owner, name, pull, 1, { login, body });
  payload.comment.id = comment!.id;
  const replies = () => suite.api.comments(owner, name, pull).filter((c) => c.body.includes(replyMarker(comment!.id)));
  return { payload, pull, commentId: comment!.id, replies };
}

describe('pr-commands.yml', () => {
  it('starts no job for an ordinary comment', async () => {
    const { payload } = commentEvent('Nice work.');
    const run = await suite.run(repo, { workflow, event: 'issue_comment', payload });
    expect(run.code).toBe(0);
    expect(run.jobs.filter((j) => j.result !== undefined && j.result !== 'skipped')).toEqual([]);
  });

  it('gives a command by someone without write access no reaction and no reply', async () => {
    const { payload, commentId, replies } = commentEvent('/pulumi up staging', { login: 'stranger' });
    const run = await suite.run(repo, { workflow, event: 'issue_comment', payload });
    const command = jobOf(run, 'command');
    expect(resultOf(run, command)).toEqual({ job: command.name, result: 'success' });
    expect(actionSteps(command)[0]!.outputs).toMatchObject({ 'pr-command': '', 'pr-head-sha': '' });
    expect(suite.api.reactions(commentId)).toEqual([]);
    expect(replies()).toEqual([]);
    expect(stacksOf(repo)).toEqual([]);
    expect(suite.api.rejected).toEqual([]);
  });

  it("refuses a command on a fork's pull request, with a reply that says how to allow it", async () => {
    const { payload, commentId, replies } = commentEvent('/pulumi preview staging', { headRepository: 'stranger/Hello-World' });
    const run = await suite.run(repo, { workflow, event: 'issue_comment', payload });
    const command = jobOf(run, 'command');
    expect(resultOf(run, command)).toEqual({ job: command.name, result: 'success' });
    expect(actionSteps(command)[0]!.outputs).toMatchObject({ 'pr-command': '', 'pr-head-sha': '' });
    expect(suite.api.reactions(commentId).map((r) => r.content)).toEqual(['eyes', 'confused']);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toContain('This pull request comes from the fork <code>stranger/Hello-World</code>');
    expect(replies()[0]!.body).toContain('<code>pr-command-allow-forks: true</code>');
    expect(stacksOf(repo)).toEqual([]);
    expect(suite.api.rejected).toEqual([]);
  });

  it('applies an approved /pulumi up on the named stack, with reactions and the sticky comment', async () => {
    const { payload, pull, commentId } = commentEvent('/pulumi up staging');
    suite.api.seedReviews(owner, name, pull, [{ login: 'hubot', state: 'APPROVED' }]);
    const run = await suite.run(repo, { workflow, event: 'issue_comment', payload });
    const stack = jobOf(run, 'stack');
    expect(resultOf(run, stack)).toEqual({ job: stack.name, result: 'success' });
    expect(stack.steps.find((s) => s.id === 'named')?.outputs).toEqual({ name: 'staging' });
    const command = jobOf(run, 'command');
    expect(resultOf(run, command)).toEqual({ job: command.name, result: 'success' });
    expect(actionSteps(command)[0]!.outputs).toMatchObject({ 'pr-command': 'up', 'pr-head-sha': head, stack: 'octo-org/files-py/staging', 'has-changes': 'true' });
    expect(suite.api.reactions(commentId).map((r) => r.content)).toEqual(['eyes', 'rocket']);
    const sticky = suite.api.comments(owner, name, pull).filter((c) => c.body.includes('<code>pulumi up</code> succeeded'));
    expect(sticky).toHaveLength(1);
    expect(stacksOf(repo)).toEqual(['staging']);
    // The stack is #1's now, and the head's merge check says it is applied.
    expect(actionSteps(command)[0]!.outputs).toMatchObject({ lock: '1' });
    expect(sticky[0]!.body).toContain('🔒 This pull request holds stack <code>staging</code>');
    expect(claimsOf('staging')).toEqual(['pr-lock:1']);
    expect(latestCheck()).toMatchObject({ state: 'success', description: `Applied ${head.slice(0, 7)}: nothing left to change` });
    expect(suite.api.rejected).toEqual([]);
  });

  it("refuses another pull request's /pulumi up of the stack #1 holds, naming the holder and how to release it", async () => {
    const { payload, commentId, replies, pull } = commentEvent('/pulumi up staging', { pullNumber: 2 });
    suite.api.seedReviews(owner, name, pull, [{ login: 'hubot', state: 'APPROVED' }]);
    const run = await suite.run(repo, { workflow, event: 'issue_comment', payload });
    const command = jobOf(run, 'command');
    expect(resultOf(run, command, 'failure')).toEqual({ job: command.name, result: 'failure' });
    const step = actionSteps(command)[0]!;
    expect(step.errors).toEqual([expect.stringContaining("Stack 'staging' is locked by pull request #1")]);
    expect(step.outputs).toMatchObject({ 'pr-command': 'up', lock: '1' });
    expect(suite.api.reactions(commentId).map((r) => r.content)).toEqual(['eyes', 'confused']);
    expect(replies()).toEqual([expect.objectContaining({ body: expect.stringContaining('comment <code>/pulumi unlock staging</code> on #1') })]);
    expect(claimsOf('staging')).toEqual(['pr-lock:1']);
    expect(suite.api.rejected).toEqual([]);
  });

  it("does not honour the lock of #1 once it is closed: #2's up runs and takes the stack", async () => {
    suite.api.setPullRequest(owner, name, 1, { state: 'closed' });
    const { payload, commentId } = commentEvent('/pulumi up staging', { pullNumber: 2 });
    const run = await suite.run(repo, { workflow, event: 'issue_comment', payload });
    const command = jobOf(run, 'command');
    expect(resultOf(run, command)).toEqual({ job: command.name, result: 'success' });
    expect(actionSteps(command)[0]!.outputs).toMatchObject({ 'pr-command': 'up', lock: '2' });
    expect(suite.api.reactions(commentId).map((r) => r.content)).toEqual(['eyes', 'rocket']);
    expect(claimsOf('staging')).toEqual(['pr-lock:2']);
    expect(suite.api.rejected).toEqual([]);
  });

  it("releases the lock when the pull request closes: GitHub's pull_request closed payload starts the release job", async () => {
    const closed = pullRequestEvent('closed');
    expect(closed.number).toBe(2);
    suite.api.setPullRequest(owner, name, 2, { state: 'closed' });
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload: closed });
    const release = jobOf(run, 'release');
    expect(resultOf(run, release)).toEqual({ job: release.name, result: 'success' });
    expect(run.jobs.filter((j) => j.id !== 'release' && j.result !== undefined && j.result !== 'skipped')).toEqual([]);
    expect(release.summary).toContain('🔓 Released the lock of #2 on <code>staging</code>.');
    expect(claimsOf('staging')).toEqual([]);
    expect(stacksOf(repo)).toEqual(['staging']);
    expect(suite.api.rejected).toEqual([]);
  });
});

/** The stack's claims among its tags (Pulumi Cloud keeps tags of its own beside them), as `pulumi stack tag ls` lists them. */
function claimsOf(stack: string): string[] {
  const tags = JSON.parse(pulumiCli(repo, 'infra', ['stack', 'tag', 'ls', '--json', '--stack', stack])) as Record<string, string>;
  return Object.keys(tags).filter((name) => name.startsWith('pr-lock:'));
}

/** The merge check of staging on the head, as last set. */
function latestCheck() {
  return suite.api.statuses(owner, name, head).find((s) => s.context === 'pulumi/files-py/staging');
}
