// Admission of PR commands end to end short of the CLI: GitHub's example payload made a PR comment,
// the API stand-in (which refuses what GitHub would) and a real git checkout.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { git } from '../../support/git.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitHubClient } from '../../../src/workspace/github.js';
import { AdmissionError, admitPrCommand, finishPrCommand, gitHubPrCommandIo, type Admission, type PrCommandSettings } from '../../../src/operation/pr-command-admission.js';
import { replyMarker } from '../../../src/workspace/github-comment.js';
import { startGitHubApi, type GitHubApiServer, type ReviewSeed } from '../../support/github-api.js';
import { prCommentPayload } from '../../support/webhook-examples.js';

const TOKEN = 'ghs_workflow';
// The repository of GitHub's example payloads.
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const SETTINGS: PrCommandSettings = { stacks: ['staging', 'prod'], requiredRole: 'write', requirements: ['approved'], staleApprovals: false, allowForks: false };

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'admission-'));
let checkout: string;
let head: string;

beforeAll(() => {
  checkout = path.join(root, 'checkout');
  fs.mkdirSync(checkout);
  git(checkout, 'init', '-q');
  git(checkout, 'commit', '-q', '--allow-empty', '-m', 'the pull request');
  head = git(checkout, 'rev-parse', 'HEAD');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const started: GitHubApiServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

interface Case {
  body: string;
  commenter?: string;
  reviews?: ReviewSeed[];
  headSha?: string;
  /** `owner/name` of a fork the head is in, or null for a deleted fork. */
  headRepository?: string | null;
  settings?: Partial<PrCommandSettings>;
  onIssue?: boolean;
}

async function admit(c: Case) {
  const server = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
  started.push(server);
  const commenter = c.commenter ?? 'octocat';
  server.setPermission(OWNER, REPO, 'octocat', 'write');
  server.setPermission(OWNER, REPO, 'hubot', 'write');
  server.setPermission(OWNER, REPO, 'reader', 'read');
  const payload = prCommentPayload({ body: c.body, login: commenter, ...(c.onIssue ? { onIssue: true } : {}) });
  const pull: number = payload.issue.number;
  server.setPullRequest(OWNER, REPO, pull, { headSha: c.headSha ?? head, ...(c.headRepository === undefined ? {} : { headRepository: c.headRepository }) });
  server.seedReviews(OWNER, REPO, pull, c.reviews ?? []);
  // The command comment, as the server has it, under the id the event gives.
  const [comment] = server.seedComments(OWNER, REPO, pull, 1, { login: commenter, body: c.body });
  payload.comment.id = comment!.id;
  const io = gitHubPrCommandIo(await gitHubClient(TOKEN, server.url), OWNER, REPO, checkout);
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const admission: Admission = await admitPrCommand(payload, { ...SETTINGS, ...c.settings }, io, warn);
  const replies = server
    .comments(OWNER, REPO, pull)
    .filter((x) => x.id !== comment!.id)
    .map((x) => x.body);
  const calls = () => server.requests.map((r) => `${r.method} ${r.path.replace(/\/\d+/g, '/N')}`);
  return { server, admission, replies, reactions: () => server.reactions(comment!.id).map((r) => r.content), calls, warnings, io, warn, commentId: comment!.id };
}

const APPROVED_BY_HUBOT: ReviewSeed[] = [{ login: 'hubot', state: 'APPROVED' }];

describe('admitPrCommand', () => {
  it('admits an approved up by a writer on the checked-out head, with 👀', async () => {
    const run = await admit({ body: '/pulumi up prod', reviews: APPROVED_BY_HUBOT });
    expect(run.admission).toMatchObject({ kind: 'admitted', stack: 'prod', headSha: head, command: { command: 'up', commenter: 'octocat' } });
    expect(run.reactions()).toEqual(['eyes']);
    expect(run.replies).toEqual([]);
    expect(run.server.rejected).toEqual([]);
    expect(run.calls()).toEqual([
      'GET /repos/Codertocat/Hello-World/collaborators/octocat/permission',
      'POST /repos/Codertocat/Hello-World/issues/comments/N/reactions',
      'GET /repos/Codertocat/Hello-World/pulls/N',
      'GET /repos/Codertocat/Hello-World/pulls/N/reviews',
      'GET /repos/Codertocat/Hello-World/collaborators/hubot/permission',
    ]);
  });

  it('admits a preview without reading reviews', async () => {
    const run = await admit({ body: '/pulumi preview staging' });
    expect(run.admission).toMatchObject({ kind: 'admitted', stack: 'staging' });
    expect(run.calls().some((c) => c.endsWith('/reviews'))).toBe(false);
  });

  it('admits an unlock with the role and the stack alone: it runs no code, so neither the pull request, its reviews nor the checkout is read', async () => {
    // A fork's pull request whose head is not checked out, and nobody approved: none of it matters.
    const run = await admit({ body: '/pulumi unlock prod', headRepository: 'stranger/Hello-World', headSha: 'f'.repeat(40) });
    expect(run.admission).toEqual({ kind: 'admitted', stack: 'prod', command: expect.objectContaining({ command: 'unlock' }) });
    expect(run.calls()).toEqual(['GET /repos/Codertocat/Hello-World/collaborators/octocat/permission', 'POST /repos/Codertocat/Hello-World/issues/comments/N/reactions']);
    expect(run.server.rejected).toEqual([]);
  });

  it("gives a reader's unlock no answer, and a writer's unlock of a stack the step does not list a reply", async () => {
    const reader = await admit({ body: '/pulumi unlock prod', commenter: 'reader' });
    expect(reader.admission).toMatchObject({ kind: 'ignored' });
    expect(reader.reactions()).toEqual([]);
    const other = await admit({ body: '/pulumi unlock dev' });
    expect(other.admission).toMatchObject({ kind: 'refused', reply: expect.stringContaining('There is no stack <code>dev</code> here') });
  });

  it('admits a destroy for the pipeline, whose destroy gate decides', async () => {
    const run = await admit({ body: '/pulumi destroy staging' });
    expect(run.admission).toMatchObject({ kind: 'admitted', command: { command: 'destroy' } });
  });

  it.each([
    ['an ordinary comment', { body: 'Nice work!' }],
    ['a comment on an issue', { body: '/pulumi up prod', onIssue: true }],
  ])('ignores %s without a word to GitHub', async (_, c) => {
    const run = await admit(c);
    expect(run.admission).toMatchObject({ kind: 'ignored' });
    expect(run.calls()).toEqual([]);
  });

  it('answers a malformed command with the syntax and 😕', async () => {
    const run = await admit({ body: '/pulumi deploy prod' });
    expect(run.admission).toMatchObject({ kind: 'refused', reply: expect.stringMatching(/is not a command this action knows/) });
    expect(run.replies).toHaveLength(1);
    expect(run.replies[0]).toContain(replyMarker(run.commentId));
    expect(run.reactions()).toEqual(['confused']);
    expect(run.calls()[0]).toBe('GET /repos/Codertocat/Hello-World/collaborators/octocat/permission');
  });

  it.each([
    ['a command', '/pulumi up prod'],
    ['a malformed command', '/pulumi deploy prod'],
  ])("gives a reader's %s no answer at all: no reaction, no reply, only the reason for the log", async (_, body) => {
    const run = await admit({ body, commenter: 'reader', reviews: APPROVED_BY_HUBOT });
    expect(run.admission).toEqual({
      kind: 'ignored',
      reason: 'reader has the read role, and running /pulumi commands here takes write access or more, so the comment gets no answer.',
    });
    expect(run.replies).toEqual([]);
    expect(run.reactions()).toEqual([]);
    expect(run.calls()).toEqual(['GET /repos/Codertocat/Hello-World/collaborators/reader/permission']);
  });

  it("says nothing on the pull request when the commenter's role cannot be read", async () => {
    const server = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
    started.push(server);
    const payload = prCommentPayload({ body: '/pulumi deploy', login: 'octocat' });
    const [comment] = server.seedComments(OWNER, REPO, payload.issue.number, 1);
    payload.comment.id = comment!.id;
    server.failNext({ path: '/repos/{owner}/{repo}/collaborators/{username}/permission', status: 403 });
    const io = gitHubPrCommandIo(await gitHubClient(TOKEN, server.url), OWNER, REPO, checkout);
    const failed = admitPrCommand(payload, SETTINGS, io, () => {});
    await expect(failed).rejects.toThrow(/^The \/pulumi command did not run: could not read the commenter's role \(GitHub answered 403/);
    expect(server.reactions(comment!.id)).toEqual([]);
    expect(server.comments(OWNER, REPO, payload.issue.number).map((c) => c.id)).toEqual([comment!.id]);
  });

  it('refuses a stack the step does not list', async () => {
    const run = await admit({ body: '/pulumi up production', reviews: APPROVED_BY_HUBOT });
    expect(run.replies[0]).toMatch(/There is no stack <code>production<\/code> here/);
  });

  it.each([
    ['an unapproved pull request', [], /Not yet: nobody has approved it/],
    ['a self-approved one', [{ login: 'octocat', state: 'APPROVED' }], /the only approval is by octocat/],
    [
      'one whose approval was followed by a change request',
      [
        { login: 'hubot', state: 'APPROVED' },
        { login: 'hubot', state: 'CHANGES_REQUESTED' },
      ],
      /hubot requested changes/,
    ],
  ] as [string, ReviewSeed[], RegExp][])('refuses the up of %s', async (_, reviews, reply) => {
    const run = await admit({ body: '/pulumi up prod', reviews });
    expect(run.admission).toMatchObject({ kind: 'refused' });
    expect(run.replies[0]).toMatch(reply);
    expect(run.reactions()).toEqual(['eyes', 'confused']);
    expect(run.calls().at(-1)).toBe('POST /repos/Codertocat/Hello-World/issues/comments/N/reactions');
  });

  it("asks approvers' roles one by one, and stops at the first with write access", async () => {
    const reviews: ReviewSeed[] = [
      { login: 'reader', state: 'APPROVED' },
      { login: 'hubot', state: 'APPROVED' },
      { login: 'monalisa', state: 'APPROVED' },
    ];
    const run = await admit({ body: '/pulumi up prod', reviews });
    expect(run.admission).toMatchObject({ kind: 'admitted' });
    expect(run.calls().filter((c) => c.endsWith('/permission'))).toEqual([
      'GET /repos/Codertocat/Hello-World/collaborators/octocat/permission',
      'GET /repos/Codertocat/Hello-World/collaborators/reader/permission',
      'GET /repos/Codertocat/Hello-World/collaborators/hubot/permission',
    ]);
  });

  it('refuses an up approved only by readers, naming their roles', async () => {
    const run = await admit({
      body: '/pulumi up prod',
      reviews: [
        { login: 'reader', state: 'APPROVED' },
        { login: 'stranger', state: 'APPROVED' },
      ],
    });
    expect(run.admission).toMatchObject({ kind: 'refused' });
    expect(run.replies[0]).toMatch(/Not yet: an approval counts only from someone with write access or more, and reader has the read role and stranger has the read role\.$/);
  });

  it('asks no approver about their role while a change request stands', async () => {
    const run = await admit({ body: '/pulumi up prod', reviews: [...APPROVED_BY_HUBOT, { login: 'reader', state: 'CHANGES_REQUESTED' }] });
    expect(run.replies[0]).toMatch(/Not yet: reader requested changes\.$/);
    expect(run.calls().filter((c) => c.endsWith('/permission'))).toEqual(['GET /repos/Codertocat/Hello-World/collaborators/octocat/permission']);
  });

  it('refuses an approval of an earlier commit, unless the workflow takes stale approvals', async () => {
    const earlier: ReviewSeed[] = [{ login: 'hubot', state: 'APPROVED', commitId: 'e'.repeat(40) }];
    const run = await admit({ body: '/pulumi up prod', reviews: earlier });
    expect(run.replies[0]).toMatch(/Not yet: hubot approved an earlier commit, not the head <code>.{12}<\/code>: the head itself must be approved\.$/);
    expect(run.calls().filter((c) => c.endsWith('/permission'))).toHaveLength(1);
    const stale = await admit({ body: '/pulumi up prod', reviews: earlier, settings: { staleApprovals: true } });
    expect(stale.admission).toMatchObject({ kind: 'admitted' });
  });

  it.each([
    ['a fork', 'mallory/Hello-World', /^\[This command\]\(.*\) did not run\. This pull request comes from the fork <code>mallory\/Hello-World<\/code>, .*<code>pr-command-allow-forks: true<\/code>/],
    ['a deleted fork', null, /This pull request comes from a fork that has since been deleted, /],
  ] as [string, string | null, RegExp][])('refuses any command on a pull request from %s, saying how to allow it', async (_, headRepository, reply) => {
    const run = await admit({ body: '/pulumi preview staging', headRepository, reviews: APPROVED_BY_HUBOT });
    expect(run.admission).toMatchObject({ kind: 'refused' });
    expect(run.replies[0]!.split('\n')[1]).toMatch(reply);
    expect(run.reactions()).toEqual(['eyes', 'confused']);
    expect(run.calls().some((c) => c.endsWith('/reviews'))).toBe(false);
  });

  it("with forks allowed, holds every command on a fork's code to an approval of its head", async () => {
    const settings = { allowForks: true, requirements: [], staleApprovals: true };
    const unapproved = await admit({ body: '/pulumi preview staging', headRepository: 'mallory/Hello-World', settings });
    expect(unapproved.replies[0]).toMatch(
      /<code>\/pulumi preview<\/code> runs code from the fork <code>mallory\/Hello-World<\/code>, so the pull request must be approved at its head .* Not yet: nobody has approved it\.$/,
    );
    const earlier = await admit({ body: '/pulumi destroy staging', headRepository: 'mallory/Hello-World', settings, reviews: [{ login: 'hubot', state: 'APPROVED', commitId: 'e'.repeat(40) }] });
    expect(earlier.replies[0]).toMatch(/hubot approved an earlier commit/);
    const approved = await admit({ body: '/pulumi preview staging', headRepository: 'mallory/Hello-World', settings, reviews: APPROVED_BY_HUBOT });
    expect(approved.admission).toMatchObject({ kind: 'admitted', command: { command: 'preview' }, headSha: head });
  });

  it('refuses a stale checkout: the head moved after the command', async () => {
    const run = await admit({ body: '/pulumi up prod', reviews: APPROVED_BY_HUBOT, headSha: 'b'.repeat(40) });
    expect(run.replies[0]).toMatch(/checked out <code>.{12}<\/code>, but the head of this pull request is <code>bbbbbbbbbbbb<\/code>/);
  });

  it('fails, with 😕, when GitHub will not say what a check needs', async () => {
    const server = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
    started.push(server);
    server.setPermission(OWNER, REPO, 'octocat', 'write');
    const payload = prCommentPayload({ body: '/pulumi preview staging', login: 'octocat' });
    const [comment] = server.seedComments(OWNER, REPO, payload.issue.number, 1);
    payload.comment.id = comment!.id;
    const io = gitHubPrCommandIo(await gitHubClient(TOKEN, server.url), OWNER, REPO, checkout);
    // No pull request set: GitHub answers 404.
    const failed = admitPrCommand(payload, SETTINGS, io, () => {});
    await expect(failed).rejects.toThrow(AdmissionError);
    await expect(failed).rejects.toThrow(/^The command \/pulumi preview did not run: could not read the pull request \(GitHub answered 404/);
    expect(server.reactions(comment!.id).map((r) => r.content)).toEqual(['eyes', 'confused']);
  });

  it('warns, and still refuses, when the reply cannot be posted', async () => {
    const server = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
    started.push(server);
    server.setPermission(OWNER, REPO, 'octocat', 'write');
    const payload = prCommentPayload({ body: '/pulumi', login: 'octocat' });
    const [comment] = server.seedComments(OWNER, REPO, payload.issue.number, 1);
    payload.comment.id = comment!.id;
    server.failNext({ method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 403 });
    const warnings: string[] = [];
    const io = gitHubPrCommandIo(await gitHubClient(TOKEN, server.url), OWNER, REPO, checkout);
    const admission = await admitPrCommand(payload, SETTINGS, io, (w) => warnings.push(w));
    expect(admission).toMatchObject({ kind: 'refused' });
    expect(admission).not.toHaveProperty('replyUrl');
    expect(warnings).toEqual([expect.stringMatching(/^Could not reply on the pull request: GitHub answered 403/)]);
    expect(server.reactions(comment!.id).map((r) => r.content)).toEqual(['confused']);
  });
});

describe('finishPrCommand', () => {
  it('marks the command 🚀 when it succeeded and 😕 when it failed', async () => {
    const run = await admit({ body: '/pulumi preview staging' });
    if (run.admission.kind !== 'admitted') throw new Error('not admitted');
    await finishPrCommand(run.admission.command, true, run.io, run.warn);
    expect(run.reactions()).toEqual(['eyes', 'rocket']);
    await finishPrCommand(run.admission.command, false, run.io, run.warn);
    expect(run.reactions()).toEqual(['eyes', 'rocket', 'confused']);
    expect(run.warnings).toEqual([]);
  });
});
