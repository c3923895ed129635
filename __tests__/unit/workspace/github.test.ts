// The GitHub calls of a pull-request command, against the API stand-in (which refuses what GitHub's
// OpenAPI description would), through the action's own client with its timeouts and retries.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collaboratorPermission, gitHubClient, pullRequestReviews, pullRequestState, reactToComment, replyOnPullRequest, type GitHub } from '../../../src/workspace/github.js';
import type { PrCommand } from '../../../src/model/pr-command.js';
import { forkGate, forkSource, permissionGate, requirementsGate } from '../../../src/plan/pr-command.js';
import { replyBody } from '../../../src/workspace/github-comment.js';
import { startGitHubApi, type GitHubApiServer } from '../../support/github-api.js';

const TOKEN = 'ghs_workflow';
const started: GitHubApiServer[] = [];

async function setUp(): Promise<{ server: GitHubApiServer; github: GitHub }> {
  const server = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
  started.push(server);
  return { server, github: await gitHubClient(TOKEN, server.url) };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

describe('GitHub calls for pull-request commands', () => {
  it("reads a commenter's role, maintain apart from write, and none for an account GitHub does not know", async () => {
    const { server, github } = await setUp();
    server.setPermission('acme', 'infra', 'bob', 'maintain');
    expect(await collaboratorPermission(github, 'acme', 'infra', 'bob')).toEqual({ permission: 'write', roleName: 'maintain' });
    expect(await collaboratorPermission(github, 'acme', 'infra', 'carol')).toEqual({ permission: 'read', roleName: 'read' });
    server.failNext({ path: '/repos/{owner}/{repo}/collaborators/{username}/permission', status: 404 });
    const gone = await collaboratorPermission(github, 'acme', 'infra', 'ghost');
    expect(gone).toEqual({ permission: 'none', roleName: 'none' });
    expect(permissionGate('ghost', gone, 'write').allowed).toBe(false);
    server.failNext({ path: '/repos/{owner}/{repo}/collaborators/{username}/permission', status: 403 });
    await expect(collaboratorPermission(github, 'acme', 'infra', 'bob')).rejects.toMatchObject({ status: 403 });
    expect(server.rejected).toEqual([]);
  });

  it("reads the pull request's head, state and mergeability", async () => {
    const { server, github } = await setUp();
    server.setPullRequest('acme', 'infra', 7, { headSha: 'a'.repeat(40), mergeable: false });
    const state = await pullRequestState(github, 'acme', 'infra', 7);
    expect(state).toEqual({
      number: 7,
      headSha: 'a'.repeat(40),
      state: 'open',
      merged: false,
      mergeable: false,
      headRepository: { id: expect.any(Number), fullName: 'acme/infra' },
      baseRepository: { id: expect.any(Number), fullName: 'acme/infra' },
    });
    expect(state.headRepository).toEqual(state.baseRepository);
    server.setPullRequest('acme', 'infra', 7, { merged: true });
    expect(await pullRequestState(github, 'acme', 'infra', 7)).toMatchObject({ state: 'closed', merged: true });
    await expect(pullRequestState(github, 'acme', 'infra', 8)).rejects.toMatchObject({ status: 404 });
  });

  it("reads where the head's code is: a fork, or a fork deleted since (GitHub's null repository)", async () => {
    const { server, github } = await setUp();
    server.setPullRequest('acme', 'infra', 7, { headRepository: 'mallory/infra' });
    const fork = await pullRequestState(github, 'acme', 'infra', 7);
    expect(fork.headRepository).toEqual({ id: expect.any(Number), fullName: 'mallory/infra' });
    expect(forkSource(fork)).toBe('the fork <code>mallory/infra</code>');
    server.setPullRequest('acme', 'infra', 7, { headRepository: null });
    const deleted = await pullRequestState(github, 'acme', 'infra', 7);
    expect(deleted.headRepository).toBeNull();
    expect(forkGate(deleted, false).allowed).toBe(false);
    expect(server.rejected).toEqual([]);
  });

  it('waits, when asked, for a mergeability GitHub is still computing, and no longer than a few reads', async () => {
    const { server, github } = await setUp();
    server.setPullRequest('acme', 'infra', 7, { mergeableComputing: 1 });
    expect((await pullRequestState(github, 'acme', 'infra', 7)).mergeable).toBeNull();
    server.setPullRequest('acme', 'infra', 7, { mergeableComputing: 1 });
    expect((await pullRequestState(github, 'acme', 'infra', 7, { awaitMergeable: true })).mergeable).toBe(true);
    server.setPullRequest('acme', 'infra', 7, { mergeableComputing: 10 });
    expect((await pullRequestState(github, 'acme', 'infra', 7, { awaitMergeable: true })).mergeable).toBeNull();
    const reads = server.requests.filter((r) => r.path === '/repos/acme/infra/pulls/7').length;
    expect(reads).toBe(1 + 2 + 4);
  }, 20_000);

  it('reads every page of reviews, oldest first, bots marked', async () => {
    const { server, github } = await setUp();
    server.setPullRequest('acme', 'infra', 7);
    server.seedReviews('acme', 'infra', 7, [
      ...Array.from({ length: 140 }, (_, i) => ({ login: `reader-${i}`, state: 'COMMENTED' as const })),
      { login: 'bob', state: 'APPROVED' },
      { login: 'helper[bot]', state: 'APPROVED' },
      { login: 'bob', state: 'CHANGES_REQUESTED' },
    ]);
    const reviews = await pullRequestReviews(github, 'acme', 'infra', 7);
    expect(reviews).toHaveLength(143);
    const pull = await pullRequestState(github, 'acme', 'infra', 7);
    const commitId = pull.headSha;
    expect(reviews.slice(-3)).toEqual([
      { reviewer: 'bob', reviewerIsBot: false, state: 'APPROVED', commitId },
      { reviewer: 'helper[bot]', reviewerIsBot: true, state: 'APPROVED', commitId },
      { reviewer: 'bob', reviewerIsBot: false, state: 'CHANGES_REQUESTED', commitId },
    ]);
    // The latest say, on the last page, decides.
    const up: PrCommand = { command: 'up', commentId: 1, commenter: 'carol', pullNumber: 7 };
    const rules = { requirements: ['approved' as const], staleApprovals: false, allowForks: false };
    const approverRoles = new Map([['bob', { permission: 'write', roleName: 'write' }]]);
    expect(requirementsGate(up, pull, { reviews, approverRoles }, rules).allowed).toBe(false);
    expect(requirementsGate(up, pull, { reviews: reviews.slice(0, -1), approverRoles }, rules).allowed).toBe(true);
    expect(server.requests.filter((r) => r.path.endsWith('/reviews')).length).toBe(2);
  });

  it('reacts to the command comment, and retries a reaction GitHub failed', async () => {
    const { server, github } = await setUp();
    const [comment] = server.seedComments('acme', 'infra', 7, 1, { login: 'bob', body: '/pulumi up' });
    await reactToComment(github, 'acme', 'infra', comment!.id, 'eyes');
    server.failNext({ method: 'POST', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', status: 502, performed: true });
    await reactToComment(github, 'acme', 'infra', comment!.id, 'rocket');
    await reactToComment(github, 'acme', 'infra', comment!.id, 'rocket');
    expect(server.reactions(comment!.id)).toEqual([
      { content: 'eyes', login: 'github-actions[bot]' },
      { content: 'rocket', login: 'github-actions[bot]' },
    ]);
    await expect(reactToComment(github, 'acme', 'infra', 999, 'confused')).rejects.toMatchObject({ status: 404 });
  });

  it('replies on the pull request once, even when GitHub makes the comment and answers 502', async () => {
    const { server, github } = await setUp();
    server.seedComments('acme', 'infra', 7, 120);
    const body = replyBody({ commentId: 42 }, 'Nobody has approved it.');
    server.failNext({ method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 502, performed: true });
    const url = await replyOnPullRequest(github, 'acme', 'infra', 7, body);
    const replies = server.comments('acme', 'infra', 7).filter((c) => c.body === body);
    expect(replies).toHaveLength(1);
    expect(url).toBe(replies[0]!.html_url);
    expect(server.rejected).toEqual([]);
  });
});
