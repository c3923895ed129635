// PR commands (`command: comment`) through the bundled action, the real CLI and a real git checkout,
// against the API stand-in: GitHub's own issue_comment example made a PR comment, and the stand-in
// refusing whatever GitHub's OpenAPI description would refuse.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { git as gitIn } from '../support/git.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startGitHubApi, type GitHubApiServer, type ReviewSeed } from '../support/github-api.js';
import { errorsOf, filesIn, preparedWorkspace, runStep, snapshotState, type Workspace } from '../support/e2e.js';
import { prCommentPayload } from '../support/webhook-examples.js';
import { COMMAND_SYNTAX } from '../../src/model/pr-command.js';
import { code } from '../../src/base/markdown.js';

const TOKEN = 'ghs_workflow';
// The repository of GitHub's example payloads.
const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const WRITER = 'octocat';
// hubot has write access; anyone else the example's repository does not name is a reader, as
// anyone is on a public repository.
const APPROVED: ReviewSeed[] = [{ login: 'hubot', state: 'APPROVED' }];

let ws: Workspace;
/** A commit of the pull request before its head. */
let earlier: string;
let head: string;
let api: GitHubApiServer;

const git = (...args: string[]) => gitIn(ws.root, ...args);

beforeAll(async () => {
  ws = await preparedWorkspace();
  // The pull request's head, checked out as the example workflow does.
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', "the pull request's first commit");
  earlier = git('rev-parse', 'HEAD');
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
  /** `owner/name` of the fork the head is in, or null for a deleted fork. */
  headRepository?: string | null;
  onIssue?: boolean;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
}

/** One comment on pull request of GitHub's example, answered by the action. */
async function comment(c: Case) {
  api = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
  api.setPermission(OWNER, REPO, WRITER, 'write');
  api.setPermission(OWNER, REPO, 'hubot', 'write');
  api.setPermission(OWNER, REPO, 'reader', 'read');
  const commenter = c.commenter ?? WRITER;
  const payload = prCommentPayload({ body: c.body, login: commenter, ...(c.onIssue ? { onIssue: true } : {}) });
  const pull: number = payload.issue.number;
  api.setPullRequest(OWNER, REPO, pull, { headSha: c.headSha ?? head, ...(c.headRepository === undefined ? {} : { headRepository: c.headRepository }) });
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

  it.each([
    ['command', '/pulumi preview dev'],
    ['malformed command', '/pulumi deploy dev'],
  ])(
    "gives a reader's %s no reaction and no reply, only a line in the log",
    async (_, body) => {
      const result = await comment({ body, commenter: 'reader' });
      expectNothingRan(result);
      expect(result.reactions).toEqual([]);
      expect(result.replies).toEqual([]);
      expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/${OWNER}/${REPO}/collaborators/reader/permission`]);
      expect(result.run.stdout).toContain('reader has the read role, and running /pulumi commands here takes write access or more, so the comment gets no answer.');
    },
    60_000,
  );

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

  it('does not count an approval by someone without write access', async () => {
    const result = await comment({ body: '/pulumi up dev', reviews: [{ login: 'stranger', state: 'APPROVED' }] });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toContain('Not yet: an approval counts only from someone with write access or more, and stranger has the read role.');
    expect(result.reactions).toEqual(['eyes', 'confused']);
  }, 60_000);

  it('does not count an approval of an earlier commit', async () => {
    const result = await comment({ body: '/pulumi up dev', reviews: [{ login: 'hubot', state: 'APPROVED', commitId: earlier }] });
    expectNothingRan(result);
    expect(result.replies.join('\n')).toContain(`Not yet: hubot approved an earlier commit, not the head ${code(head.slice(0, 12))}: the head itself must be approved.`);
  }, 60_000);

  it('runs no code pushed between the approval and the checkout', async () => {
    // A writer approved the head; then came a push, which the workflow's checkout picked up, and
    // which is the pull request's head by the time the action asks.
    const program = path.join(ws.workDir, '__main__.py');
    const marker = path.join(ws.root, 'pushed-code-ran');
    const original = fs.readFileSync(path.join(ws.root, program), 'utf8');
    fs.writeFileSync(path.join(ws.root, program), `open(${JSON.stringify(marker)}, "w").close()\n${original}`);
    git('commit', '-q', '-m', 'pushed after the approval', '--', program);
    const pushed = git('rev-parse', 'HEAD');
    try {
      const result = await comment({ body: '/pulumi up dev', headSha: pushed, reviews: [{ login: 'hubot', state: 'APPROVED', commitId: head }] });
      // The pushed program never ran.
      expect(fs.existsSync(marker)).toBe(false);
      expectNothingRan(result);
      expect(result.replies.join('\n')).toContain(`hubot approved an earlier commit, not the head ${code(pushed.slice(0, 12))}`);
    } finally {
      git('reset', '-q', '--soft', head);
      git('checkout', '-q', head, '--', program);
      fs.rmSync(marker, { force: true });
    }
  }, 120_000);

  it.each([
    ['a fork', 'stranger/Hello-World', 'the fork <code>stranger/Hello-World</code>'],
    ['a fork deleted since', null, 'a fork that has since been deleted'],
  ])(
    'refuses a command on a pull request from %s, saying how to allow it',
    async (_, headRepository, source) => {
      const result = await comment({ body: '/pulumi preview dev', headRepository, reviews: APPROVED });
      expectNothingRan(result);
      const reply = result.replies.join('\n');
      expect(reply).toContain(`This pull request comes from ${source}, and this workflow runs no commands on pull requests from forks`);
      expect(reply).toContain('<code>pr-command-allow-forks: true</code>');
      expect(result.reactions).toEqual(['eyes', 'confused']);
    },
    60_000,
  );

  it("with pr-command-allow-forks, previews a fork's code only once a writer approved its head, whatever the requirements", async () => {
    const inputs = { 'pr-command-allow-forks': 'true', 'pr-command-requirements': 'none' };
    const fork = 'stranger/Hello-World';
    const unapproved = await comment({ body: '/pulumi preview dev', headRepository: fork, inputs });
    expectNothingRan(unapproved);
    expect(unapproved.replies.join('\n')).toContain(
      '<code>/pulumi preview</code> runs code from the fork <code>stranger/Hello-World</code>, so the pull request must be approved at its head by someone with write access other than whoever comments the command. Not yet: nobody has approved it.',
    );
    expect(api.rejected).toEqual([]);
    await api.close();
    const approved = await comment({ body: '/pulumi preview dev', headRepository: fork, inputs, reviews: APPROVED });
    expect(errorsOf(approved.run)).toEqual([]);
    expect(approved.run.outputs).toMatchObject({ 'pr-command': 'preview', 'pr-head-sha': head });
    expect(approved.reactions).toEqual(['eyes', 'rocket']);
  }, 120_000);

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

  it('with pr-command-stale-approvals, counts an approval of an earlier commit', async () => {
    const result = await comment({
      body: '/pulumi refresh dev',
      reviews: [{ login: 'hubot', state: 'APPROVED', commitId: earlier }],
      inputs: { 'pr-command-stale-approvals': 'true' },
    });
    expect(errorsOf(result.run)).toEqual([]);
    expect(result.run.outputs).toMatchObject({ 'pr-command': 'refresh', 'pr-head-sha': head });
    expect(result.reactions).toEqual(['eyes', 'rocket']);
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
