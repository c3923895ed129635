// Pull-request locks and the merge check through the bundled action, the real CLI (the lock lives in
// the stack's tags on a file:// backend) and a real git checkout, against the API stand-in: one
// stack's life across several pull requests, from GitHub's own issue_comment, pull_request and push
// payloads; then two pull requests racing for a free stack, as two processes started together.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { git as gitIn } from '../support/git.js';
import * as fs from 'node:fs';
import { startGitHubApi, type GitHubApiServer } from '../support/github-api.js';
import { errorsOf, preparedWorkspace, pulumiCli, runStep, snapshotState, type StepResult, type Workspace } from '../support/e2e.js';
import { examplePayload, prCommentPayload } from '../support/webhook-examples.js';
import { commentMarker, replyMarker } from '../../src/workspace/github-comment.js';

const TOKEN = 'ghs_workflow';
// The repository of GitHub's example payloads; its pull_request examples are #2, its comment's issue #1.
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const CONTEXT = 'pulumi/files-py/dev';

let ws: Workspace;
let api: GitHubApiServer;
/** The commits pull requests #1 and #3 have as their heads (#2 has its example payload's). */
let headOf: Record<number, string>;
const EXAMPLE_HEAD = examplePayload('pull_request', (p) => p.action === 'synchronize').pull_request.head.sha as string;

const git = (...args: string[]) => gitIn(ws.root, ...args);

beforeAll(async () => {
  ws = await preparedWorkspace();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'pull request #1');
  const first = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'pull request #3');
  headOf = { 1: first, 3: git('rev-parse', 'HEAD') };
  api = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
  api.setPermission(OWNER, REPO, 'octocat', 'write');
  api.setPermission(OWNER, REPO, 'hubot', 'write');
  for (const [pull, headSha] of [
    [1, headOf[1]!],
    [2, EXAMPLE_HEAD],
    [3, headOf[3]!],
  ] as const) {
    api.setPullRequest(OWNER, REPO, pull, { headSha });
    api.seedReviews(OWNER, REPO, pull, [{ login: 'hubot', state: 'APPROVED' }]);
  }
}, 300_000);

afterAll(async () => {
  await api.close();
  fs.rmSync(ws.root, { recursive: true, force: true });
});

const env = () => ({ GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: '42' });
const config = (message = 'hello') => JSON.stringify({ outDir: ws.outDir, message });

/** The stack's tags, as `pulumi stack tag ls` lists them. */
function tagsOf(stack: string): Record<string, string> {
  return JSON.parse(pulumiCli(ws, ['stack', 'tag', 'ls', '--json', '--stack', stack])) as Record<string, string>;
}

function latestStatus(sha: string) {
  return api.statuses(OWNER, REPO, sha).find((s) => s.context === CONTEXT);
}

interface CommentRun {
  run: StepResult;
  reactions: string[];
  replies: string[];
  /** The sticky comment of this command on the pull request, as the run left it. */
  sticky?: string;
}

/** `body` commented on pull request `pull` by octocat, whose checkout is that pull request's head. */
async function comment(pull: 1 | 3, body: string, stack = 'dev'): Promise<CommentRun> {
  git('checkout', '-q', headOf[pull]!);
  const payload = prCommentPayload({ body, login: 'octocat', pullNumber: pull });
  const [seeded] = api.seedComments(OWNER, REPO, pull, 1, { login: 'octocat', body });
  payload.comment.id = seeded!.id;
  const run = await runStep(ws, {
    inputs: { command: 'comment', stack, 'github-token': TOKEN, config: config() },
    env: env(),
    eventName: 'issue_comment',
    event: payload,
  });
  const command = body.split(' ')[1]!;
  const comments = api.comments(OWNER, REPO, pull);
  return {
    run,
    reactions: api.reactions(seeded!.id).map((r) => r.content),
    replies: comments.filter((c) => c.body.includes(replyMarker(seeded!.id))).map((c) => c.body),
    sticky: comments.find((c) => c.body.startsWith(commentMarker('files-py', stack, command)))?.body,
  };
}

/** A workflow on `pull_request` events for #2, with GitHub's own example payload of `action`. */
async function pullRequestRun(action: 'synchronize' | 'closed', inputs: Record<string, string>): Promise<StepResult> {
  return runStep(ws, {
    inputs: { 'github-token': TOKEN, ...inputs },
    env: env(),
    eventName: 'pull_request',
    event: examplePayload('pull_request', (p) => p.action === action),
  });
}

describe('a stack applied from a pull request belongs to it until it merges or closes', () => {
  it('the first /pulumi up claims the stack and applies it; the head gets a successful merge check', async () => {
    const { run, reactions, sticky } = await comment(1, '/pulumi up dev');
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ 'pr-command': 'up', lock: '1', 'has-changes': 'true' });
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(Object.keys(tagsOf('dev'))).toEqual(['pr-lock:1']);
    expect(sticky).toMatch(/🔒 This pull request holds stack <code>dev<\/code> since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(run.summary).toContain('🔒 This pull request holds stack <code>dev</code>');
    expect(latestStatus(headOf[1]!)).toEqual({
      context: CONTEXT,
      state: 'success',
      description: `Applied ${headOf[1]!.slice(0, 7)}: nothing left to change`,
      targetUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/42`,
      login: 'github-actions[bot]',
    });
  }, 120_000);

  it("refuses another pull request's up, with a reply and an error naming the holder and how to release it, and changes nothing", async () => {
    const before = snapshotState(ws);
    const { run, reactions, replies } = await comment(3, '/pulumi up dev');
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([
      expect.stringContaining(
        "Stack 'dev' is locked by pull request #1, which applied it before merging, so a up from another pull request would undo its changes: wait until #1 merges or closes, or comment '/pulumi unlock dev' on #1 to release it",
      ),
    ]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/did not run\. Stack <code>dev<\/code> is locked by #1 since .*comment <code>\/pulumi unlock dev<\/code> on #1/);
    expect(reactions).toEqual(['eyes', 'confused']);
    expect(run.outputs).toMatchObject({ 'pr-command': 'up', lock: '1' });
    expect(snapshotState(ws)).toEqual(before);
    expect(latestStatus(headOf[3]!)).toMatchObject({ state: 'pending', description: 'Not applied; locked by #1' });
  }, 120_000);

  it('runs its preview (a pull_request workflow), which says the stack is locked, and leaves its merge check pending', async () => {
    const run = await pullRequestRun('synchronize', { command: 'preview', stack: 'dev', config: config('from #2') });
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ lock: '1', 'has-changes': 'true' });
    const preview = api.comments(OWNER, REPO, 2).find((c) => c.body.startsWith(commentMarker('files-py', 'dev', 'preview')))!.body;
    expect(preview).toContain('🔒 Stack <code>dev</code> is locked by #1 since');
    expect(latestStatus(EXAMPLE_HEAD)).toMatchObject({ state: 'pending', description: 'Not applied: 3 to update; locked by #1' });
    expect(Object.keys(tagsOf('dev'))).toEqual(['pr-lock:1']);
  }, 120_000);

  it("runs the holder's own later commands without a new claim", async () => {
    const claimed = tagsOf('dev')['pr-lock:1'];
    const { run, reactions } = await comment(1, '/pulumi refresh dev');
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ 'pr-command': 'refresh', lock: '1' });
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(tagsOf('dev')).toEqual({ 'pr-lock:1': claimed });
  }, 120_000);

  it("/pulumi unlock releases only the pull request's own lock, and otherwise names the holder", async () => {
    const elsewhere = await comment(3, '/pulumi unlock dev');
    expect(errorsOf(elsewhere.run)).toEqual([]);
    expect(elsewhere.run.code).toBe(0);
    expect(elsewhere.run.outputs).toMatchObject({ 'pr-command': 'unlock', 'pr-head-sha': '', lock: '1' });
    expect(elsewhere.replies).toEqual([expect.stringContaining('Stack <code>dev</code> is locked by #1')]);
    expect(elsewhere.replies[0]).toContain('not by this pull request (#3), so there is nothing here to release. To release it, comment <code>/pulumi unlock dev</code> on #1');
    expect(elsewhere.reactions).toEqual(['eyes', 'confused']);
    expect(Object.keys(tagsOf('dev'))).toEqual(['pr-lock:1']);

    const own = await comment(1, '/pulumi unlock dev');
    expect(errorsOf(own.run)).toEqual([]);
    expect(own.run.outputs).toMatchObject({ 'pr-command': 'unlock', lock: '' });
    expect(own.replies).toEqual([]);
    expect(own.reactions).toEqual(['eyes', 'rocket']);
    expect(own.run.summary).toContain('🔓 No pull request holds stack <code>dev</code>.');
    expect(tagsOf('dev')).toEqual({});
  }, 120_000);

  it('a workflow on pull_request events claims the stack for its pull request too; the pull_request closed run releases it', async () => {
    const up = await pullRequestRun('synchronize', { command: 'up', stack: 'dev', config: config('from #2') });
    expect(errorsOf(up)).toEqual([]);
    expect(up.outputs).toMatchObject({ lock: '2' });
    expect(Object.keys(tagsOf('dev'))).toEqual(['pr-lock:2']);
    expect(latestStatus(EXAMPLE_HEAD)).toMatchObject({ state: 'success' });

    api.setPullRequest(OWNER, REPO, 2, { state: 'closed' });
    const cleanup = await pullRequestRun('closed', { command: 'cleanup', 'install-dependencies': 'false' });
    expect(errorsOf(cleanup)).toEqual([]);
    expect(cleanup.outputs).toMatchObject({ removed: '[]' });
    expect(cleanup.summary).toContain('🔓 Released the lock of #2 on <code>dev</code>.');
    expect(tagsOf('dev')).toEqual({});
  }, 120_000);

  it("never honours a closed pull request's lock, even one no run released (and a token without statuses: write costs one warning)", async () => {
    const checks = api.statuses(OWNER, REPO, headOf[1]!).length;
    api.failNext({ method: 'POST', path: /\/statuses\//, status: 403 });
    const first = await comment(1, '/pulumi up dev');
    expect(errorsOf(first.run)).toEqual([]);
    expect(first.run.outputs).toMatchObject({ lock: '1' });
    expect(first.reactions).toEqual(['eyes', 'rocket']);
    expect(first.run.stdout.split('\n').filter((line) => line.startsWith('::warning'))).toEqual([
      `::warning::Could not set the merge check ${CONTEXT} on ${headOf[1]!.slice(0, 12)}: GitHub answered 403 (Resource not accessible by integration - https://docs.github.com/rest/commits/statuses#create-a-commit-status): give the job 'statuses: write'.`,
    ]);
    expect(api.statuses(OWNER, REPO, headOf[1]!)).toHaveLength(checks);
    api.setPullRequest(OWNER, REPO, 1, { state: 'closed' });
    const { run, sticky } = await comment(3, '/pulumi up dev');
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ lock: '3' });
    expect(sticky).toContain('🔒 This pull request holds stack <code>dev</code>');
    expect(sticky).toContain('Released the lock of #1, closed since.');
    expect(Object.keys(tagsOf('dev'))).toEqual(['pr-lock:3']);
    expect(latestStatus(headOf[3]!)).toMatchObject({ state: 'success' });
  }, 180_000);

  it("releases the lock when the holder merges: the default branch's up finds it merged", async () => {
    api.setPullRequest(OWNER, REPO, 3, { merged: true });
    git('checkout', '-q', headOf[3]!);
    const push = { ...examplePayload('push', (p) => p.ref === 'refs/heads/master'), ref: 'refs/heads/main' };
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', 'github-token': TOKEN, config: config() }, env: env(), eventName: 'push', event: push });
    expect(errorsOf(run)).toEqual([]);
    expect(run.outputs).toMatchObject({ lock: '' });
    expect(run.summary).toContain('🔓 No pull request holds stack <code>dev</code>. Released the lock of #3, closed since.');
    expect(tagsOf('dev')).toEqual({});
    expect(api.rejected).toEqual([]);
  }, 120_000);
});

describe('two pull requests racing for a free stack', () => {
  const ROUNDS = 3;

  it(`lets one win and refuses the other, in each of ${ROUNDS} rounds of two runs started together`, async () => {
    pulumiCli(ws, ['stack', 'init', 'race']);
    git('checkout', '-q', headOf[1]!);
    for (const pull of [4, 5]) {
      api.setPullRequest(OWNER, REPO, pull, { headSha: headOf[1]! });
      api.seedReviews(OWNER, REPO, pull, [{ login: 'hubot', state: 'APPROVED' }]);
    }
    const outcomes: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const runs = await Promise.all(
        [4, 5].map((pull) => {
          const payload = prCommentPayload({ body: '/pulumi refresh race', login: 'octocat', pullNumber: pull });
          payload.comment.id = api.seedComments(OWNER, REPO, pull, 1, { login: 'octocat', body: '/pulumi refresh race' })[0]!.id;
          return runStep(ws, { inputs: { command: 'comment', stack: 'race', 'github-token': TOKEN }, env: env(), eventName: 'issue_comment', event: payload });
        }),
      );
      const winners = runs.filter((r) => r.code === 0);
      expect(winners).toHaveLength(1);
      const winner = runs.indexOf(winners[0]!) === 0 ? 4 : 5;
      const loser = runs.find((r) => r.code !== 0)!;
      expect(winners[0]!.outputs).toMatchObject({ 'pr-command': 'refresh', lock: String(winner) });
      expect(errorsOf(loser)).toEqual([expect.stringContaining(`Stack 'race' is locked by pull request #${winner}`)]);
      expect(loser.outputs).toMatchObject({ lock: String(winner) });
      expect(tagsOf('race')).toEqual({ [`pr-lock:${winner}`]: expect.any(String) });
      outcomes.push(`#${winner}`);
      pulumiCli(ws, ['stack', 'tag', 'rm', `pr-lock:${winner}`, '--stack', 'race']);
    }
    expect(outcomes).toHaveLength(ROUNDS);
    expect(api.rejected).toEqual([]);
  }, 300_000);
});
