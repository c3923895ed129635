// The sticky PR comment, through the bundled action and the real CLI, against a local server that
// plays GitHub's REST API and refuses whatever GitHub's OpenAPI description would refuse.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { code } from '../../src/base/markdown.js';
import { linksIn } from '../support/gfm.js';
import { startGitHubApi, type GitHubApiServer, type TokenSpec } from '../support/github-api.js';
import { errorsOf, makeWorkspace, runStep, type StepOptions, type Workspace } from '../support/e2e.js';

const WORKFLOW_TOKEN: TokenSpec = { token: 'ghs_workflow', kind: 'installation' };
const PAT: TokenSpec = { token: 'ghp_deployer', kind: 'user', login: 'deployer' };
/** Another GitHub App's installation token, as actions/create-github-app-token makes one. */
const APP_TOKEN: TokenSpec = { token: 'ghs_my_deployer', kind: 'installation', login: 'my-deployer[bot]' };
const OWNER = 'octo-org';
const REPO = 'infra';
const PR = 17;
const SECRET = 'comment-secret-value';
const WORD_JOINER = '\u2060';

/** A mention or issue reference GitHub would make live (the word joiner after `@` or `#` breaks it). */
const LIVE_REFERENCE = /(?<![\w\u2060])@[A-Za-z0-9]|#\d|\bGH-\d/i;

/** The text GitHub looks for mentions in: everything but `<code>` elements and fenced blocks. */
function outsideCode(markdown: string): string {
  return markdown.replace(/<code>.*?<\/code>/g, '').replace(/^(`{3,})\n[\s\S]*?\n\1$/gm, '');
}

let ws: Workspace;
let api: GitHubApiServer;

beforeAll(async () => {
  ws = makeWorkspace('python');
  // The first run builds the virtual environment; the comment tests then run at CLI speed.
  const setup = await runStep(ws, { inputs: { command: 'preview', stack: 'dev', 'comment-on-pr': 'false' } });
  expect(setup.code).toBe(0);
}, 300_000);

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

afterEach(async () => {
  expect(api.rejected).toEqual([]);
  await api.close();
});

async function startApi() {
  api = await startGitHubApi({ tokens: [WORKFLOW_TOKEN, PAT, APP_TOKEN] });
}

function onPullRequest(inputs: StepOptions['inputs'], token = WORKFLOW_TOKEN.token): StepOptions {
  return {
    inputs: {
      stack: 'dev',
      config: JSON.stringify({ outDir: ws.outDir, message: 'from the PR', token: { value: SECRET, secret: true } }),
      'github-token': token,
      ...inputs,
    },
    env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
    eventName: 'pull_request',
    event: { action: 'synchronize', number: PR, pull_request: { number: PR } },
  };
}

describe('PR comment', () => {
  it('keeps one comment per stack and command, updated in place', async () => {
    await startApi();
    const first = await runStep(ws, onPullRequest({ command: 'preview' }));
    expect(errorsOf(first)).toEqual([]);
    expect(first.code).toBe(0);
    const [comment] = api.comments(OWNER, REPO, PR);
    expect(comment!.user.login).toBe('github-actions[bot]');
    expect(comment!.body).toContain('files-py');
    expect(comment!.body).toContain('organization/files-py/dev');
    expect(first.outputs['comment-url']).toBe(comment!.html_url);

    const second = await runStep(ws, onPullRequest({ command: 'preview', config: JSON.stringify({ outDir: ws.outDir, message: 'changed' }) }));
    expect(second.code).toBe(0);
    const comments = api.comments(OWNER, REPO, PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(comment!.id);
    expect(comments[0]!.updated_at >= comment!.updated_at).toBe(true);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    for (const c of comments) expect(c.body).not.toContain(SECRET);
  }, 120_000);

  it('finds its own comment behind 150 others, across pages', async () => {
    await startApi();
    api.seedComments(OWNER, REPO, PR, 150, { login: 'reviewer' });
    const first = await runStep(ws, onPullRequest({ command: 'preview' }, PAT.token));
    expect(first.code).toBe(0);
    const second = await runStep(ws, onPullRequest({ command: 'preview' }, PAT.token));
    expect(second.code).toBe(0);
    const comments = api.comments(OWNER, REPO, PR);
    expect(comments).toHaveLength(151);
    expect(comments.filter((c) => c.user.login === 'deployer')).toHaveLength(1);
    // The second run read both pages of comments before it updated the one it found.
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.includes('comments')).length).toBeGreaterThanOrEqual(2);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  }, 120_000);

  it('does not take over a comment with its marker written by someone else', async () => {
    await startApi();
    const mine = await runStep(ws, onPullRequest({ command: 'preview' }, PAT.token));
    const forged = api.comments(OWNER, REPO, PR)[0]!.body;
    api.seedComments(OWNER, REPO, PR, 1, { login: 'mallory', body: forged });
    expect(mine.code).toBe(0);
    const run = await runStep(ws, onPullRequest({ command: 'preview' }));
    expect(run.code).toBe(0);
    const authors = api.comments(OWNER, REPO, PR).map((c) => c.user.login);
    expect(authors).toEqual(['deployer', 'mallory', 'github-actions[bot]']);
  }, 120_000);

  it("finds its own comment with another app's installation token, which GET /user refuses", async () => {
    await startApi();
    const first = await runStep(ws, onPullRequest({ command: 'preview' }, APP_TOKEN.token));
    expect(first.code).toBe(0);
    const second = await runStep(ws, onPullRequest({ command: 'preview' }, APP_TOKEN.token));
    expect(second.code).toBe(0);
    const comments = api.comments(OWNER, REPO, PR);
    expect(comments.map((c) => c.user.login)).toEqual(['my-deployer[bot]']);
    expect(second.outputs['comment-url']).toBe(comments[0]!.html_url);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  }, 120_000);

  it('writes as github-actions[bot] when GitHub will not say who the token is', async () => {
    await startApi();
    api.failNext({ method: 'POST', path: '/graphql', status: 403, count: 2 });
    await runStep(ws, onPullRequest({ command: 'preview' }));
    const second = await runStep(ws, onPullRequest({ command: 'preview' }));
    expect(second.code).toBe(0);
    expect(api.comments(OWNER, REPO, PR).map((c) => c.user.login)).toEqual(['github-actions[bot]']);
    expect(api.requests.filter((r) => r.path === '/graphql').map((r) => r.status)).toEqual([403, 403]);
  }, 120_000);

  it('leaves two comments for two stacks, and a new one each run in comment-mode new', async () => {
    await startApi();
    await runStep(ws, onPullRequest({ command: 'preview' }));
    await runStep(ws, onPullRequest({ command: 'preview', stack: 'staging' }));
    expect(api.comments(OWNER, REPO, PR)).toHaveLength(2);
    await runStep(ws, onPullRequest({ command: 'preview', 'comment-mode': 'new' }));
    expect(api.comments(OWNER, REPO, PR)).toHaveLength(3);
    await runStep(ws, onPullRequest({ command: 'preview', 'comment-mode': 'off' }));
    expect(api.comments(OWNER, REPO, PR)).toHaveLength(3);
  }, 180_000);

  it('with no-changes-comment, starts no comment where nothing changes, brings one up to date, or deletes it', async () => {
    await startApi();
    const quiet = (inputs: StepOptions['inputs']) => onPullRequest({ stack: 'quiet', ...inputs });
    const changed = JSON.stringify({ outDir: ws.outDir, message: 'changed' });
    // Deployed as it is, so a preview of it changes nothing.
    expect((await runStep(ws, quiet({ command: 'up', 'comment-on-pr': 'false' }))).code).toBe(0);

    expect((await runStep(ws, quiet({ command: 'preview', 'no-changes-comment': 'skip' }))).code).toBe(0);
    expect(api.comments(OWNER, REPO, PR)).toEqual([]);

    expect((await runStep(ws, quiet({ command: 'preview', 'no-changes-comment': 'skip', config: changed }))).code).toBe(0);
    const [stale] = api.comments(OWNER, REPO, PR);
    expect(stale!.body).toContain('<code>pulumi preview</code> succeeded');

    // The change undone: the comment says so rather than show what no longer happens.
    expect((await runStep(ws, quiet({ command: 'preview', 'no-changes-comment': 'skip' }))).code).toBe(0);
    const comments = api.comments(OWNER, REPO, PR);
    expect(comments.map((c) => c.id)).toEqual([stale!.id]);
    expect(comments[0]!.body).toContain('<code>pulumi preview</code> found no changes');

    const deleted = await runStep(ws, quiet({ command: 'preview', 'no-changes-comment': 'delete' }));
    expect(deleted.code).toBe(0);
    expect(deleted.outputs['comment-url']).toBeUndefined();
    expect(api.comments(OWNER, REPO, PR)).toEqual([]);
  }, 180_000);

  it('shows each changed property with its old and new value, and what forces a replacement', async () => {
    await startApi();
    const before = path.join(ws.root, 'diff-before');
    const after = path.join(ws.root, 'diff-after');
    const up = await runStep(ws, { inputs: { command: 'up', stack: 'diff', 'comment-on-pr': 'false', config: JSON.stringify({ outDir: before, message: 'before', fileCount: 1 }) } });
    expect(up.code).toBe(0);
    // The files move (the provider replaces a file whose path changes) and get new text.
    const preview = await runStep(ws, onPullRequest({ command: 'preview', stack: 'diff', config: JSON.stringify({ outDir: after, message: 'after', fileCount: 1 }) }));
    expect(errorsOf(preview)).toEqual([]);
    expect(preview.code).toBe(0);
    const [comment] = api.comments(OWNER, REPO, PR);
    for (const markdown of [comment!.body, preview.summary]) {
      expect(markdown).toContain(
        [
          '- <code>file-0</code> · <code>pulumi-python:dynamic/files:File</code> · replaced because <code>path</code> changed',
          `  - <code>path</code>: ${code(JSON.stringify(path.join(before, 'file-0.txt')))} → ${code(JSON.stringify(path.join(after, 'file-0.txt')))} · 🔁 forces replacement`,
          `  - <code>content</code>: ${code('"before #0\\n"')} → ${code('"after #0\\n"')}`,
        ].join('\n'),
      );
    }
  }, 180_000);

  it("pings nobody with the engine's text: a mention in a program's error reaches the comment broken", async () => {
    await startApi();
    // The Python SDK's error quotes the value: "Configuration 'files-py:fileCount' value '@org/team #12' is not a valid int".
    const config = JSON.stringify({ outDir: ws.outDir, fileCount: '@org/team #12' });
    const run = await runStep(ws, onPullRequest({ command: 'smoke', stack: 'smoke-ping', 'ephemeral-stacks': 'smoke-*', config }));
    expect(run.code).toBe(1);
    const [comment] = api.comments(OWNER, REPO, PR);
    for (const markdown of [comment!.body, run.summary]) {
      // The failed step's detail, in the steps table, outside code.
      expect(markdown).toMatch(new RegExp(`^\\| ❌ \\| <code>up</code> \\| .*@${WORD_JOINER}org/team #${WORD_JOINER}12`, 'm'));
      expect(outsideCode(markdown)).not.toMatch(LIVE_REFERENCE);
    }
  }, 180_000);

  it("links nothing from the engine's text: issue and pull request URLs in a program's error reach the comment broken", async () => {
    await startApi();
    const links = 'see https://github.com/octo-org/infra/issues/1, https://ghe.example.com/o/r/pull/2 and www.example.com';
    const config = JSON.stringify({ outDir: ws.outDir, fileCount: links });
    const run = await runStep(ws, onPullRequest({ command: 'smoke', stack: 'smoke-link', 'ephemeral-stacks': 'smoke-*', config }));
    expect(run.code).toBe(1);
    const [comment] = api.comments(OWNER, REPO, PR);
    const runLink = `https://github.com/${OWNER}/${REPO}/actions/runs/4242`;
    expect(linksIn(comment!.body)).toEqual([runLink]);
    expect(linksIn(run.summary)).toEqual([]);
    for (const markdown of [comment!.body, run.summary]) {
      // The failed step's detail, in the steps table, outside code: it reads the same.
      expect(markdown).toMatch(new RegExp(`^\\| ❌ \\| <code>up</code> \\| .*see https${WORD_JOINER}://github\\.com/octo-org/infra/issues/1, https${WORD_JOINER}://ghe`, 'm'));
    }
  }, 180_000);

  it.each([401, 403, 404, 422, 500] as const)(
    'a %i from GitHub leaves the result intact and warns',
    async (status) => {
      await startApi();
      api.failNext({ method: 'POST', path: /comments$/, status, count: 5 });
      const run = await runStep(ws, onPullRequest({ command: 'preview' }));
      expect(errorsOf(run)).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.outputs['has-changes']).toBe('true');
      expect(run.outputs['comment-url']).toBeUndefined();
      expect(run.stdout).toMatch(new RegExp(`::warning::Could not write the PR comment: GitHub answered ${status}`));
      expect(run.summary).toContain('organization/files-py/dev');
      expect(api.comments(OWNER, REPO, PR)).toHaveLength(0);
    },
    120_000,
  );

  it('retries a 503 as Retry-After asks, then succeeds', async () => {
    await startApi();
    api.failNext({ method: 'POST', path: /comments$/, status: 503, count: 1, retryAfter: 1 });
    const run = await runStep(ws, onPullRequest({ command: 'preview' }));
    expect(run.code).toBe(0);
    expect(api.comments(OWNER, REPO, PR)).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments')).map((r) => r.status)).toEqual([503, 201]);
  }, 120_000);

  it('leaves one comment when GitHub creates it and still answers 502', async () => {
    await startApi();
    api.failNext({ method: 'POST', path: /comments$/, status: 502, performed: true });
    const run = await runStep(ws, onPullRequest({ command: 'preview' }));
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    const comments = api.comments(OWNER, REPO, PR);
    expect(comments).toHaveLength(1);
    expect(run.outputs['comment-url']).toBe(comments[0]!.html_url);
    expect(run.stdout).not.toContain('::warning::Could not write the PR comment');
    // It looked for the comment instead of posting it again.
    expect(api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments')).map((r) => r.status)).toEqual([502]);

    // In comment-mode new, the comment with the very body sent is the one the failed create made.
    api.failNext({ method: 'POST', path: /comments$/, status: 502, performed: true });
    const again = await runStep(ws, onPullRequest({ command: 'preview', 'comment-mode': 'new' }));
    expect(again.code).toBe(0);
    expect(api.comments(OWNER, REPO, PR)).toHaveLength(2);
    expect(again.outputs['comment-url']).toBe(api.comments(OWNER, REPO, PR)[1]!.html_url);
  }, 120_000);

  it('comments from another event with pr-number', async () => {
    await startApi();
    const run = await runStep(ws, {
      ...onPullRequest({ command: 'preview', 'pr-number': '99' }),
      eventName: 'workflow_dispatch',
      event: {},
    });
    expect(run.code).toBe(0);
    expect(api.comments(OWNER, REPO, 99)).toHaveLength(1);
  }, 120_000);

  it("reaches GitHub through the runner's proxy (HTTP_PROXY), as a self-hosted runner behind one does", async () => {
    await startApi();
    // A tunnelling proxy that sends every CONNECT to the API stand-in and notes what was asked for.
    // The action must use it: the API's name below resolves nowhere, only the proxy knows it.
    const tunnels: string[] = [];
    const proxy = http.createServer((_, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url!);
      const upstream = net.connect(Number(new URL(api.url).port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const apiUrl = `http://api.github.invalid:${new URL(api.url).port}`;
      const step = onPullRequest({ command: 'preview' });
      const run = await runStep(ws, { ...step, env: { ...step.env, GITHUB_API_URL: apiUrl, HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` } });
      expect(errorsOf(run)).toEqual([]);
      expect(run.code).toBe(0);
      expect(api.comments(OWNER, REPO, PR)).toHaveLength(1);
      expect(new Set(tunnels)).toEqual(new Set([`api.github.invalid:${new URL(api.url).port}`]));
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 120_000);
});
