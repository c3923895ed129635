// PR commands (`command: comment`) through the bundled action, the real CLI and a real git checkout,
// against the API stand-in: GitHub's own issue_comment example made a PR comment, and the stand-in
// refusing whatever GitHub's OpenAPI description would refuse.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { startGitHubApi, type GitHubApiServer, type ReviewSeed } from '../support/github-api.js';
import { errorsOf, filesIn, preparedWorkspace, runStep, snapshotState, type Workspace } from '../support/e2e.js';
import { prCommentPayload } from '../support/webhook-examples.js';
import { COMMAND_SYNTAX } from '../../src/pr-command.js';
import { code } from '../../src/report/markdown.js';

const TOKEN = 'ghs_workflow';
// The repository of GitHub's example payloads.
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const WRITER = 'octocat';
const APPROVED: ReviewSeed[] = [{ login: 'hubot', state: 'APPROVED' }];

let ws: Workspace;
let head: string;
let api: GitHubApiServer;

function git(...args: string[]): string {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: ws.root, env, encoding: 'utf8' }).trim();
}

beforeAll(async () => {
  ws = await preparedWorkspace();
  // The pull request's head, checked out as the example workflow does.
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'the pull request');
  head = git('rev-parse', 'HEAD');
}, 300_000);

afterAll(() => fs.rmSync(ws.root, { recursive: true, force: true }));

afterEach(async () => {
  expect(api.rejected).toEqual([]);
  await api.close();
});

interface Case {
  body: string;
  commenter?: string;
  reviews?: ReviewSeed[];
  headSha?: string;
  onIssue?: boolean;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
}

/** One comment on pull request of GitHub's example, answered by the action. */
async function comment(c: Case) {
  api = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
  api.setPermission(OWNER, REPO, WRITER, 'write');
  api.setPermission(OWNER, REPO, 'reader', 'read');
  const commenter = c.commenter ?? WRITER;
  const payload = prCommentPayload({ body: c.body, login: commenter, ...(c.onIssue ? { onIssue: true } : {}) });
  const pull: number = payload.issue.number;
  api.setPullRequest(OWNER, REPO, pull, { headSha: c.headSha ?? head });
  api.seedReviews(OWNER, REPO, pull, c.reviews ?? []);
  // The command comment, as GitHub has it, under the id the event gives.
  const [command] = api.seedComments(OWNER, REPO, pull, 1, { login: commenter, body: c.body });
  payload.comment.id = command!.id;
  const before = snapshotState(ws);
  const run = await runStep(ws, {
    inputs: { command: 'comment', stack: 'dev, staging', 'github-token': TOKEN, config: JSON.stringify({ outDir: ws.outDir }), ...c.inputs },
    env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, ...c.env },
    eventName: 'issue_comment',
    event: payload,
  });
  const others = api.comments(OWNER, REPO, pull).filter((x) => x.id !== command!.id);
  return {
    run,
    reactions: api.reactions(command!.id).map((r) => r.content),
    replies: others.filter((x) => x.body.includes('pr-command-reply')).map((x) => x.body),
    sticky: others.filter((x) => !x.body.includes('pr-command-reply')).map((x) => x.body),
    stateChanged: JSON.stringify([...snapshotState(ws)]) !== JSON.stringify([...before]),
  };
}

/** The step ran no command: green, empty outputs, the stack untouched. */
function expectNothingRan(result: Awaited<ReturnType<typeof comment>>) {
  expect(errorsOf(result.run)).toEqual([]);
  expect(result.run.code).toBe(0);
  expect(result.run.outputs).toEqual({ 'pr-command': '', 'pr-head-sha': '' });
  expect(result.stateChanged).toBe(false);
  expect(result.sticky).toEqual([]);
}

describe('PR commands', () => {
  it('runs nothing for an ordinary comment, quietly', async () => {
    const result = await comment({ body: 'Looks good to me, thanks!' });
    expectNothingRan(result);
    expect(result.reactions).toEqual([]);
    expect(result.replies).toEqual([]);
  }, 60_000);

  it('runs nothing for a command on an issue that is no pull request', async () => {
    const result = await comment({ body: '/pulumi up dev', onIssue: true, reviews: APPROVED });
    expectNothingRan(result);
    expect(result.reactions).toEqual([]);
  }, 60_000);

  it('answers a malformed command with the syntax', async () => {
    const result = await comment({ body: '/pulumi deploy dev' });
    expectNothingRan(result);
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]).toContain(code(COMMAND_SYNTAX));
    expect(result.reactions).toEqual(['confused']);
  }, 60_000);

  it('refuses a reader, with a reply, and runs nothing', async () => {
    const result = await comment({ body: '/pulumi preview dev', commenter: 'reader' });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toMatch(/write/);
    expect(result.reactions).toEqual(['eyes', 'confused']);
  }, 60_000);

  it('refuses a stack the step does not list', async () => {
    const result = await comment({ body: '/pulumi preview prod' });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toContain('There is no stack <code>prod</code> here');
  }, 60_000);

  it('refuses an up of an unapproved pull request', async () => {
    const result = await comment({ body: '/pulumi up dev' });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toMatch(/approv/);
    expect(result.reactions).toEqual(['eyes', 'confused']);
  }, 60_000);

  it('refuses an up the commenter approved themselves', async () => {
    const result = await comment({ body: '/pulumi up dev', reviews: [{ login: WRITER, state: 'APPROVED' }] });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toMatch(/approv/);
  }, 60_000);

  it('refuses to run code other than the pull request’s head', async () => {
    const result = await comment({ body: '/pulumi up dev', reviews: APPROVED, headSha: 'f'.repeat(40) });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toContain(`The workflow checked out ${code(head.slice(0, 12))}`);
  }, 60_000);

  it('previews for a writer without approval, into the sticky comment', async () => {
    const result = await comment({ body: 'Let us see:\n/pulumi preview dev' });
    expect(errorsOf(result.run)).toEqual([]);
    expect(result.run.outputs).toMatchObject({ 'pr-command': 'preview', 'pr-head-sha': head, 'has-changes': 'true' });
    expect(result.reactions).toEqual(['eyes', 'rocket']);
    expect(result.sticky).toHaveLength(1);
    expect(result.sticky[0]).toContain('<code>pulumi preview</code> succeeded on <code>organization/files-py/dev</code>');
    expect(filesIn(ws.outDir)).toEqual([]);
  }, 120_000);

  it('applies an approved up on the named stack, and reports it on the pull request', async () => {
    const result = await comment({ body: '/pulumi up dev', reviews: APPROVED });
    expect(errorsOf(result.run)).toEqual([]);
    expect(result.run.code).toBe(0);
    expect(result.run.outputs).toMatchObject({ 'pr-command': 'up', 'pr-head-sha': head, stack: 'organization/files-py/dev', 'has-changes': 'true' });
    expect(result.reactions).toEqual(['eyes', 'rocket']);
    expect(result.sticky).toHaveLength(1);
    expect(result.sticky[0]).toContain('<code>pulumi up</code> succeeded');
    expect(filesIn(ws.outDir).length).toBeGreaterThan(0);
  }, 120_000);

  it('keeps the destroy gate: a destroy without PULUMI_DESTROY_APPROVED fails and deletes nothing', async () => {
    const files = filesIn(ws.outDir);
    expect(files.length).toBeGreaterThan(0);
    const result = await comment({ body: '/pulumi destroy dev' });
    expect(result.run.code).toBe(1);
    expect(errorsOf(result.run).join('\n')).toMatch(/PULUMI_DESTROY_APPROVED.*It would delete/);
    expect(result.run.outputs).toMatchObject({ 'pr-command': 'destroy' });
    expect(result.reactions).toEqual(['eyes', 'confused']);
    expect(filesIn(ws.outDir)).toEqual(files);
  }, 120_000);

  it('is refused as bad input outside issue_comment events', async () => {
    api = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
    const run = await runStep(ws, { inputs: { command: 'comment', stack: 'dev', 'github-token': TOKEN }, env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` }, eventName: 'push' });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toEqual([expect.stringMatching(/inputs: Input 'command' is 'comment', which answers pull request comments: .*'push'/)]);
    expect(api.requests).toEqual([]);
  }, 60_000);
});
