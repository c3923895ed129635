import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { responseProblem, startGitHubApi, type GitHubApiServer, type IssueComment, type StartOptions, type TokenSpec } from '../support/github-api.js';
import { throwawayCertificate, type ThrowawayCertificate } from '../support/tls.js';

const ALICE: TokenSpec = { token: 'ghp_alice', kind: 'user', login: 'alice' };
const BOB: TokenSpec = { token: 'ghp_bob', kind: 'user', login: 'bob', association: 'COLLABORATOR' };
const ACTIONS: TokenSpec = { token: 'ghs_actions', kind: 'installation' };
const APP: TokenSpec = { token: 'ghs_app', kind: 'installation', login: 'my-app[bot]' };

const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments';
const COMMENT = '/repos/{owner}/{repo}/issues/comments/{comment_id}';
const PULL = '/repos/{owner}/{repo}/pulls/{pull_number}';
const REVIEWS = '/repos/{owner}/{repo}/pulls/{pull_number}/reviews';
const PERMISSION = '/repos/{owner}/{repo}/collaborators/{username}/permission';
const REACTIONS = '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions';
const STATUSES = '/repos/{owner}/{repo}/statuses/{sha}';

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

const started: GitHubApiServer[] = [];

async function start(options: Omit<StartOptions, 'tokens'> = {}): Promise<GitHubApiServer> {
  const server = await startGitHubApi({ tokens: [ALICE, BOB, ACTIONS, APP], ...options });
  started.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function call(server: GitHubApiServer, method: string, path: string, options: { token?: string | null; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  const token = options.token === undefined ? ALICE.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

function links(header: string | null): Record<string, string> {
  const entries = (header ?? '')
    .split(', ')
    .filter(Boolean)
    .map((part) => {
      const [, url, rel] = /^<([^>]+)>; rel="(\w+)"$/.exec(part)!;
      return [rel!, url!] as const;
    });
  return Object.fromEntries(entries);
}

describe('GitHub API test server', () => {
  it('creates, reads, lists, updates and deletes comments with GitHub-shaped bodies', async () => {
    const server = await start();

    const created = await call(server, 'POST', '/repos/acme/infra/issues/7/comments', { body: { body: 'Preview' } });
    expect(created.status).toBe(201);
    expect(responseProblem('POST', COMMENTS, 201, created.json)).toBeUndefined();
    const comment = created.json as IssueComment;
    expect(comment).toMatchObject({
      body: 'Preview',
      url: `${server.url}/repos/acme/infra/issues/comments/${comment.id}`,
      issue_url: `${server.url}/repos/acme/infra/issues/7`,
      html_url: `https://github.com/acme/infra/issues/7#issuecomment-${comment.id}`,
      user: { login: 'alice', type: 'User' },
      author_association: 'NONE',
    });
    expect(created.headers.get('location')).toBe(comment.url);

    const fetched = await call(server, 'GET', `/repos/acme/infra/issues/comments/${comment.id}`);
    expect(fetched.json).toEqual(comment);
    expect(responseProblem('GET', COMMENT, 200, fetched.json)).toBeUndefined();

    const updated = await call(server, 'PATCH', `/repos/acme/infra/issues/comments/${comment.id}`, {
      body: { body: 'Preview, again' },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.body).toBe('Preview, again');
    expect(responseProblem('PATCH', COMMENT, 200, updated.json)).toBeUndefined();

    const listed = await call(server, 'GET', '/repos/acme/infra/issues/7/comments');
    expect(listed.json.map((c: IssueComment) => c.body)).toEqual(['Preview, again']);
    expect(responseProblem('GET', COMMENTS, 200, listed.json)).toBeUndefined();
    expect(server.comments('acme', 'infra', 7).map((c) => c.body)).toEqual(['Preview, again']);

    expect((await call(server, 'DELETE', `/repos/acme/infra/issues/comments/${comment.id}`)).status).toBe(204);
    expect(server.comments('acme', 'infra', 7)).toEqual([]);
    expect(server.rejected).toEqual([]);
    expect(server.unhandled).toEqual([]);
    expect(server.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201', 'GET 200', 'PATCH 200', 'GET 200', 'DELETE 204']);
  });

  it('attributes installation-token comments to github-actions[bot]', async () => {
    const server = await start();
    const created = await call(server, 'POST', '/repos/acme/infra/issues/7/comments', {
      token: ACTIONS.token,
      body: { body: 'from the workflow' },
    });
    expect(created.json.user).toMatchObject({ login: 'github-actions[bot]', id: 41898282, type: 'Bot' });
    expect(responseProblem('POST', COMMENTS, 201, created.json)).toBeUndefined();
  });

  it('paginates 150 comments with the Link headers GitHub sends', async () => {
    const server = await start();
    server.seedComments('acme', 'infra', 7, 150, { login: 'acme', body: (i) => `#${i}` });

    const first = await call(server, 'GET', '/repos/acme/infra/issues/7/comments?per_page=100');
    expect(first.json).toHaveLength(100);
    expect(first.json[0]).toMatchObject({ body: '#0', author_association: 'OWNER' });
    const base = first.headers.get('link')!.match(/<(http:\/\/127\.0\.0\.1:\d+\/repositories\/\d+)\//)![1];
    expect(first.headers.get('link')).toBe(`<${base}/issues/7/comments?per_page=100&page=2>; rel="next", ` + `<${base}/issues/7/comments?per_page=100&page=2>; rel="last"`);

    const last = await fetch(links(first.headers.get('link')).next!, { headers: { authorization: `token ${ALICE.token}` } });
    const lastPage = (await last.json()) as IssueComment[];
    expect(lastPage.map((c) => c.body)).toEqual(Array.from({ length: 50 }, (_, i) => `#${i + 100}`));
    expect(last.headers.get('link')).toBe(`<${base}/issues/7/comments?per_page=100&page=1>; rel="prev", ` + `<${base}/issues/7/comments?per_page=100&page=1>; rel="first"`);

    const middle = await call(server, 'GET', '/repos/acme/infra/issues/7/comments?page=3');
    expect(middle.json).toHaveLength(30);
    expect(Object.keys(links(middle.headers.get('link')))).toEqual(['prev', 'next', 'last', 'first']);
    expect(links(middle.headers.get('link')).last).toBe(`${base}/issues/7/comments?page=5`);
    expect(server.rejected).toEqual([]);
  });

  it('omits the Link header when everything fits on one page', async () => {
    const server = await start();
    server.seedComments('acme', 'infra', 7, 3);
    const answer = await call(server, 'GET', '/repos/acme/infra/issues/7/comments');
    expect(answer.json).toHaveLength(3);
    expect(answer.headers.get('link')).toBeNull();
  });

  it('refuses comment bodies over 65,536 characters, counting characters rather than UTF-16 units', async () => {
    const server = await start();
    const atLimit = await call(server, 'POST', '/repos/acme/infra/issues/7/comments', {
      body: { body: '😀'.repeat(65_536) },
    });
    expect(atLimit.status).toBe(201);

    const over = await call(server, 'POST', '/repos/acme/infra/issues/7/comments', { body: { body: 'x'.repeat(65_537) } });
    expect(over.status).toBe(422);
    expect(over.json).toEqual({
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    });
    expect(server.rejected).toEqual([
      {
        method: 'POST',
        path: '/repos/acme/infra/issues/7/comments',
        reason: 'IssueComment: body is too long (maximum is 65536 characters)',
      },
    ]);
  });

  it('refuses query parameters outside the described limits', async () => {
    const server = await start();
    const answer = await call(server, 'GET', '/repos/acme/infra/issues/7/comments?per_page=500');
    expect(answer.status).toBe(422);
    expect(answer.json.message).toBe("Invalid request.\n\nFor 'per_page', 500 is greater than the maximum of 100.");
    expect(server.rejected).toHaveLength(1);

    const notADate = await call(server, 'GET', '/repos/acme/infra/issues/7/comments?since=yesterday');
    expect(notADate.status).toBe(422);
    const notANumber = await call(server, 'GET', '/repos/acme/infra/issues/7/comments?page=two');
    expect(notANumber.json.message).toBe(`Invalid request.\n\nFor 'page', "two" is not an integer.`);
    expect(server.rejected).toHaveLength(3);

    const owners = (n: number) => Array.from({ length: n }, (_, i) => `owner[]=user${i}`).join('&');
    await call(server, 'GET', `/orgs/acme/personal-access-tokens?${owners(10)}`);
    expect(server.rejected).toHaveLength(3);
    const tooMany = await call(server, 'GET', `/orgs/acme/personal-access-tokens?${owners(11)}`);
    expect(tooMany.status).toBe(422);
  });

  it('refuses request bodies that break the operation schema', async () => {
    const server = await start();
    const path = '/repos/acme/infra/issues/7/comments';

    const wrongType = await call(server, 'POST', path, { body: { body: 5 } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json.message).toBe("Invalid request.\n\nFor 'properties/body', 5 is not a string.");

    const missing = await call(server, 'POST', path, { body: {} });
    expect(missing.json.message).toBe(`Invalid request.\n\n"body" wasn't supplied.`);

    const unparsable = await call(server, 'POST', path, { raw: '{"body":' });
    expect(unparsable.status).toBe(400);
    expect(unparsable.json.message).toBe('Problems parsing JSON');

    expect(server.rejected.map((r) => r.path)).toEqual([path, path, path]);
    expect(server.comments('acme', 'infra', 7)).toEqual([]);
  });

  it('reads OpenAPI 3.0 `nullable`, also on enums and oneOf, as GitHub does', async () => {
    const server = await start();
    const accepted = await call(server, 'PATCH', '/repos/acme/infra/issues/7', {
      body: { title: null, milestone: null, state_reason: null, body: null },
    });
    expect(accepted.json.message).toBe('not implemented by the test server');
    expect(server.rejected).toEqual([]);

    const wrong = await call(server, 'PATCH', '/repos/acme/infra/issues/7', { body: { state_reason: 'bored' } });
    expect(wrong.status).toBe(422);
    const alsoWrong = await call(server, 'PATCH', '/repos/acme/infra/issues/7', { body: { title: true } });
    expect(alsoWrong.status).toBe(422);
    expect(server.rejected).toHaveLength(2);
  });

  it('tells unknown paths, unimplemented operations and malformed path parameters apart', async () => {
    const server = await start();

    const unknown = await call(server, 'GET', '/repos/acme/infra/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

    const wrongMethod = await call(server, 'PUT', '/repos/acme/infra/issues/7/comments', { body: { body: 'x' } });
    expect(wrongMethod.status).toBe(404);

    const notANumber = await call(server, 'GET', '/repos/acme/infra/issues/seven/comments');
    expect(notANumber.status).toBe(404);

    expect(server.rejected.map((r) => r.reason)).toEqual([
      'path not in the OpenAPI description',
      'no PUT operation for /repos/{owner}/{repo}/issues/{issue_number}/comments',
      `path For 'issue_number', "seven" is not an integer.`,
    ]);

    const unimplemented = await call(server, 'GET', '/repos/acme/infra/pulls/7/commits');
    expect(unimplemented.status).toBe(404);
    expect(unimplemented.json.message).toBe('not implemented by the test server');
    expect(server.unhandled).toEqual([{ method: 'GET', path: '/repos/acme/infra/pulls/7/commits', operationId: 'pulls/list-commits' }]);
  });

  it('routes multi-segment parameters and paths that differ only by method', async () => {
    const server = await start();
    await call(server, 'GET', '/repos/acme/infra/branches/feature/x/protection');
    await call(server, 'GET', '/repos/acme/infra/contents/stacks/dev/Pulumi.yaml');
    await call(server, 'DELETE', '/orgs/acme/attestations/123');
    await call(server, 'GET', '/orgs/acme/attestations/sha256:abc');
    expect(server.rejected).toEqual([]);
    expect(server.unhandled.map((u) => u.operationId)).toEqual(['repos/get-branch-protection', 'repos/get-content', 'orgs/delete-attestations-by-id', 'orgs/list-attestations']);
  });

  it('requires a known token', async () => {
    const server = await start();
    const missing = await call(server, 'GET', '/repos/acme/infra/issues/7/comments', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.json.message).toBe('Bad credentials');
    const unknown = await call(server, 'GET', '/repos/acme/infra/issues/7/comments', { token: 'ghp_nobody' });
    expect(unknown.status).toBe(401);
    expect(server.rejected.map((r) => r.reason)).toEqual(['no token', 'unknown token']);
  });

  it('answers GET /user for user tokens and refuses it to installation tokens', async () => {
    const server = await start();
    const user = await call(server, 'GET', '/user');
    expect(user.json).toMatchObject({ login: 'alice', type: 'User' });
    expect(responseProblem('GET', '/user', 200, user.json)).toBeUndefined();

    const installation = await call(server, 'GET', '/user', { token: ACTIONS.token });
    expect(installation.status).toBe(403);
    expect(installation.json).toMatchObject({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
    });
  });

  it("answers GraphQL's viewer query with the token's identity, another app's installation included", async () => {
    const server = await start();
    const viewer = async (token: string) => (await call(server, 'POST', '/graphql', { token, body: { query: 'query { viewer { login } }' } })).json;
    expect(await viewer(ALICE.token)).toEqual({ data: { viewer: { login: 'alice' } } });
    expect(await viewer(ACTIONS.token)).toEqual({ data: { viewer: { login: 'github-actions[bot]' } } });
    expect(await viewer(APP.token)).toEqual({ data: { viewer: { login: 'my-app[bot]' } } });
    // The app's comments are the same account's.
    const created = await call(server, 'POST', '/repos/acme/infra/issues/7/comments', { token: APP.token, body: { body: 'hi' } });
    expect(created.json.user).toMatchObject({ login: 'my-app[bot]', type: 'Bot' });

    const octokit = getOctokit(APP.token, { baseUrl: server.url });
    expect(await octokit.graphql('query Me {\n  viewer {\n    login\n  }\n}')).toEqual({ viewer: { login: 'my-app[bot]' } });
    expect(server.requests.filter((r) => r.path === '/graphql').map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(server.rejected).toEqual([]);
  });

  it('refuses any other GraphQL query, an unknown token and a GET, so nothing passes unseen', async () => {
    const server = await start();
    const other = await call(server, 'POST', '/graphql', { body: { query: 'query { viewer { login email } }' } });
    expect(other.status).toBe(400);
    expect(other.json.message).toMatch(/answers only the GraphQL query `query \{ viewer \{ login \} \}`/);
    const mutation = await call(server, 'POST', '/graphql', { body: { query: 'mutation { addComment(input: {}) { clientMutationId } }' } });
    expect(mutation.status).toBe(400);
    const withVariables = await call(server, 'POST', '/graphql', { body: { query: '{ viewer { login } }', variables: { a: 1 } } });
    expect(withVariables.status).toBe(400);
    expect((await call(server, 'POST', '/graphql', { raw: '{' })).status).toBe(400);
    expect((await call(server, 'POST', '/graphql', { token: 'ghp_nobody', body: { query: '{ viewer { login } }' } })).status).toBe(401);
    expect((await call(server, 'GET', '/graphql')).status).toBe(404);
    expect(server.rejected.map((r) => r.reason)).toEqual([
      'GraphQL query not served: query { viewer { login email } }',
      'GraphQL query not served: mutation { addComment(input: {}) { clientMutationId } }',
      'GraphQL query not served: { viewer { login } }',
      'Problems parsing JSON',
      'unknown token',
      'GraphQL takes POST, not GET',
    ]);
    await expect(getOctokit(ALICE.token, { baseUrl: server.url }).graphql('{ repository(owner: "a", name: "b") { id } }')).rejects.toMatchObject({ status: 400 });
  });

  it('fails and hangs GraphQL requests matched by /graphql', async () => {
    const server = await start();
    server.failNext({ path: '/graphql', status: 502 });
    const failed = await call(server, 'POST', '/graphql', { body: { query: '{ viewer { login } }' } });
    expect(failed.status).toBe(502);
    expect(failed.json.documentation_url).toBe('https://docs.github.com/graphql');
    expect((await call(server, 'POST', '/graphql', { body: { query: '{ viewer { login } }' } })).status).toBe(200);
  });

  it("refuses changes to someone else's comment, and answers 404 for unknown ones", async () => {
    const server = await start();
    const [comment] = server.seedComments('acme', 'infra', 7, 1, { login: 'alice' });
    const path = `/repos/acme/infra/issues/comments/${comment!.id}`;

    const patched = await call(server, 'PATCH', path, { token: BOB.token, body: { body: 'mine now' } });
    expect(patched.status).toBe(403);
    expect(patched.json.message).toBe('Resource not accessible by personal access token');
    expect((await call(server, 'DELETE', path, { token: ACTIONS.token })).status).toBe(403);
    expect(server.comments('acme', 'infra', 7)[0]!.body).toBe('Comment 1');

    expect((await call(server, 'GET', '/repos/acme/infra/issues/comments/1')).status).toBe(404);
    expect((await call(server, 'GET', `/repos/acme/other/issues/comments/${comment!.id}`)).status).toBe(404);
    expect(server.rejected).toEqual([]);
  });

  it('uses the association configured for a user token', async () => {
    const server = await start();
    const created = await call(server, 'POST', '/repos/acme/infra/issues/7/comments', {
      token: BOB.token,
      body: { body: 'hi' },
    });
    expect(created.json.author_association).toBe('COLLABORATOR');
  });

  it('fails matching requests on demand, then recovers', async () => {
    const server = await start();
    server.failNext({ path: /\/comments$/, status: 502, count: 2 });
    server.failNext({ method: 'POST', path: COMMENTS, status: 403, retryAfter: 30 });
    const path = '/repos/acme/infra/issues/7/comments';

    expect((await call(server, 'GET', path)).status).toBe(502);
    expect((await call(server, 'GET', '/user')).status).toBe(200);
    expect((await call(server, 'GET', path)).status).toBe(502);
    expect((await call(server, 'GET', path)).status).toBe(200);

    const throttled = await call(server, 'POST', path, { body: { body: 'x' } });
    expect(throttled.status).toBe(403);
    expect(throttled.headers.get('retry-after')).toBe('30');
    expect(throttled.json.message).toMatch(/secondary rate limit/);
    expect((await call(server, 'POST', path, { body: { body: 'x' } })).status).toBe(201);
    expect(server.rejected).toEqual([]);
  });

  it('carries a request out and still answers 5xx when told the fault is performed', async () => {
    const server = await start();
    server.failNext({ method: 'POST', path: COMMENTS, status: 502, performed: true });
    const path = '/repos/acme/infra/issues/7/comments';

    const answer = await call(server, 'POST', path, { body: { body: 'made anyway' } });
    expect(answer.status).toBe(502);
    expect(answer.json.message).toBe('Server Error');
    expect(server.comments('acme', 'infra', 7).map((c) => c.body)).toEqual(['made anyway']);
    // A request GitHub would refuse is refused, performed fault or not.
    server.failNext({ method: 'POST', path: COMMENTS, status: 502, performed: true });
    expect((await call(server, 'POST', path, { body: { body: '' } })).status).toBe(422);
    expect(server.comments('acme', 'infra', 7)).toHaveLength(1);
    expect(() => server.failNext({ status: 403, performed: true })).toThrow(/5xx/);
  });

  it('marks a primary rate limit on 429 without Retry-After', async () => {
    const server = await start();
    server.failNext({ status: 429 });
    const limited = await call(server, 'GET', '/user');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('hangs matching requests until closed, without holding the process open', async () => {
    const server = await start();
    server.hangNext({ method: 'GET', path: '/repos/acme/infra/issues/7/comments' });
    const hanging = fetch(`${server.url}/repos/acme/infra/issues/7/comments`, {
      headers: { authorization: `token ${ALICE.token}` },
    });
    const outcome = hanging.then(
      () => 'answered',
      () => 'failed',
    );
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    expect((await call(server, 'GET', '/repos/acme/infra/issues/7/comments')).status).toBe(200);
    expect(server.requests[0]).toEqual({ method: 'GET', path: '/repos/acme/infra/issues/7/comments', status: 0 });

    await server.close();
    expect(await outcome).toBe('failed');
  });

  it('returns seeded approvals and paginated pull request files', async () => {
    const server = await start();
    server.seedApprovals('acme', 'infra', 42, [
      { login: 'alice', environments: ['production'], comment: 'Ship it' },
      { login: 'bob', environments: ['production', 'staging'], state: 'rejected' },
    ]);
    const approvals = await call(server, 'GET', '/repos/acme/infra/actions/runs/42/approvals');
    expect(approvals.json.map((a: { user: { login: string }; state: string }) => [a.user.login, a.state])).toEqual([
      ['alice', 'approved'],
      ['bob', 'rejected'],
    ]);
    expect(responseProblem('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals', 200, approvals.json)).toBeUndefined();
    expect((await call(server, 'GET', '/repos/acme/infra/actions/runs/43/approvals')).json).toEqual([]);

    server.seedPullFiles('acme', 'infra', 9, [
      ...Array.from({ length: 40 }, (_, i) => `stacks/dev/file-${i}.ts`),
      { filename: 'Pulumi.prod.yaml', status: 'renamed', previous_filename: 'Pulumi.production.yaml', patch: '@@ -1 +1 @@' },
    ]);
    const files = await call(server, 'GET', '/repos/acme/infra/pulls/9/files?per_page=25&page=2');
    expect(files.json).toHaveLength(16);
    expect(files.json.at(-1)).toMatchObject({ filename: 'Pulumi.prod.yaml', status: 'renamed' });
    expect(responseProblem('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files', 200, files.json)).toBeUndefined();
    expect(Object.keys(links(files.headers.get('link')))).toEqual(['prev', 'first']);
    expect(server.rejected).toEqual([]);
  });

  it('serves pull requests as set, with head, state and a mergeability GitHub takes a while to compute', async () => {
    const server = await start();
    expect((await call(server, 'GET', '/repos/acme/infra/pulls/7')).status).toBe(404);

    server.setPullRequest('acme', 'infra', 7, { mergeableComputing: 1, author: 'bob' });
    const computing = await call(server, 'GET', '/repos/acme/infra/pulls/7');
    expect(computing.status).toBe(200);
    expect(responseProblem('GET', PULL, 200, computing.json)).toBeUndefined();
    expect(computing.json).toMatchObject({
      number: 7,
      state: 'open',
      merged: false,
      mergeable: null,
      mergeable_state: 'unknown',
      user: { login: 'bob' },
      html_url: 'https://github.com/acme/infra/pull/7',
      base: { ref: 'main', repo: { full_name: 'acme/infra' } },
    });
    const head = computing.json.head.sha as string;
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect((await call(server, 'GET', '/repos/acme/infra/pulls/7')).json.mergeable).toBe(true);

    // A push moves the head; a merge closes it.
    server.setPullRequest('acme', 'infra', 7, { headSha: 'f'.repeat(40), mergeable: false });
    const pushed = (await call(server, 'GET', '/repos/acme/infra/pulls/7')).json;
    expect([pushed.head.sha, pushed.mergeable, pushed.mergeable_state, pushed.user.login]).toEqual(['f'.repeat(40), false, 'dirty', 'bob']);
    server.setPullRequest('acme', 'infra', 7, { merged: true, mergeable: true });
    const merged = (await call(server, 'GET', '/repos/acme/infra/pulls/7')).json;
    expect(merged).toMatchObject({ state: 'closed', merged: true, merged_by: { login: 'acme' } });
    expect(merged.merged_at).toBe(merged.closed_at);
    expect(responseProblem('GET', PULL, 200, merged)).toBeUndefined();
    expect((await call(server, 'GET', '/repos/acme/other/pulls/7')).status).toBe(404);
    expect(server.rejected).toEqual([]);
  });

  it('serves a pull request closed without a merge', async () => {
    const server = await start();
    server.setPullRequest('acme', 'infra', 7, { state: 'closed' });
    const closed = (await call(server, 'GET', '/repos/acme/infra/pulls/7')).json;
    expect(closed).toMatchObject({ state: 'closed', merged: false, merged_at: null, merged_by: null });
    expect(closed.closed_at).toMatch(/Z$/);
    expect(responseProblem('GET', PULL, 200, closed)).toBeUndefined();
    // Reopened.
    server.setPullRequest('acme', 'infra', 7, { state: 'open' });
    expect((await call(server, 'GET', '/repos/acme/infra/pulls/7')).json).toMatchObject({ state: 'open', closed_at: null });
  });

  it("sets commit statuses on the pull requests' commits, as GitHub answers and refuses them", async () => {
    const server = await start();
    const head = 'a'.repeat(40);
    server.setPullRequest('acme', 'infra', 7, { headSha: head });
    const set = await call(server, 'POST', `/repos/acme/infra/statuses/${head}`, {
      token: ACTIONS.token,
      body: { state: 'pending', context: 'pulumi/infra/prod', description: 'Not applied: 2 to create', target_url: 'https://github.com/acme/infra/actions/runs/1' },
    });
    expect(set.status).toBe(201);
    expect(responseProblem('POST', STATUSES, 201, set.json)).toBeUndefined();
    expect(set.json).toMatchObject({ state: 'pending', context: 'pulumi/infra/prod', creator: { login: 'github-actions[bot]' } });
    expect((await call(server, 'POST', `/repos/acme/infra/statuses/${head}`, { body: { state: 'success', context: 'pulumi/infra/prod' } })).status).toBe(201);
    expect(server.statuses('acme', 'infra', head).map((s) => [s.state, s.context, s.login])).toEqual([
      ['success', 'pulumi/infra/prod', 'alice'],
      ['pending', 'pulumi/infra/prod', 'github-actions[bot]'],
    ]);
    // A commit the repository does not have, a state GitHub does not know, a description past 140 characters.
    const unknown = await call(server, 'POST', `/repos/acme/infra/statuses/${'b'.repeat(40)}`, { body: { state: 'success' } });
    expect([unknown.status, unknown.json.message]).toEqual([422, `No commit found for SHA: ${'b'.repeat(40)}`]);
    expect((await call(server, 'POST', `/repos/acme/infra/statuses/${head}`, { body: { state: 'done' } })).status).toBe(422);
    const long = await call(server, 'POST', `/repos/acme/infra/statuses/${head}`, { body: { state: 'success', description: 'x'.repeat(141) } });
    expect([long.status, long.json.errors]).toEqual([422, [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }]]);
    expect((await call(server, 'POST', `/repos/acme/infra/statuses/${head}`, { body: { state: 'success', description: 'x'.repeat(140) } })).status).toBe(201);
    // An earlier head stays a commit of the repository.
    server.setPullRequest('acme', 'infra', 7, { headSha: 'c'.repeat(40) });
    expect((await call(server, 'POST', `/repos/acme/infra/statuses/${head}`, { body: { state: 'success' } })).status).toBe(201);
    expect(server.rejected.map((r) => r.reason)).toEqual([
      `No commit found for SHA: ${'b'.repeat(40)}`,
      expect.stringContaining(`is not one of ["error","failure","pending","success"]`),
      'Status: description is too long (maximum is 140 characters)',
    ]);
  });

  it("serves a pull request from a fork, and one whose fork is deleted with the head's repository null, as GitHub does", async () => {
    const server = await start();
    server.setPullRequest('acme', 'infra', 7, { author: 'mallory', headRepository: 'mallory/infra' });
    const fork = (await call(server, 'GET', '/repos/acme/infra/pulls/7')).json;
    expect(responseProblem('GET', PULL, 200, fork)).toBeUndefined();
    expect(fork.head).toMatchObject({ label: 'mallory:feature-7', user: { login: 'mallory' }, repo: { full_name: 'mallory/infra', fork: true, owner: { login: 'mallory' } } });
    expect(fork.base.repo).toMatchObject({ full_name: 'acme/infra', fork: false });
    expect(fork.head.repo.id).not.toBe(fork.base.repo.id);

    server.setPullRequest('acme', 'infra', 7, { headRepository: null });
    const deleted = (await call(server, 'GET', '/repos/acme/infra/pulls/7')).json;
    expect(deleted.head).toMatchObject({ label: 'mallory:feature-7', user: { login: 'mallory' }, repo: null });
    // GitHub's description requires a repository there (github/rest-api-description#161); GitHub answers null.
    expect(responseProblem('GET', PULL, 200, deleted)).toBe("For 'properties/head/repo', null is not an object.");
    expect(responseProblem('GET', PULL, 200, { ...deleted, head: fork.head })).toBeUndefined();

    server.setPullRequest('acme', 'infra', 8, { headRepository: 'acme/infra' });
    const own = (await call(server, 'GET', '/repos/acme/infra/pulls/8')).json;
    expect(own.head.repo).toEqual(own.base.repo);
    expect(() => server.setPullRequest('acme', 'infra', 9, { headRepository: 'mallory' })).toThrow(/not owner\/name/);
    expect(server.rejected).toEqual([]);
  });

  it("keeps a review's commit when the head moves on", async () => {
    const server = await start();
    server.setPullRequest('acme', 'infra', 7, { headSha: 'a'.repeat(40) });
    server.seedReviews('acme', 'infra', 7, [{ login: 'bob', state: 'APPROVED' }]);
    server.setPullRequest('acme', 'infra', 7, { headSha: 'b'.repeat(40) });
    server.seedReviews('acme', 'infra', 7, [{ login: 'carol', state: 'APPROVED' }]);
    const reviews = (await call(server, 'GET', '/repos/acme/infra/pulls/7/reviews')).json;
    expect(reviews.map((r: any) => [r.user.login, r.commit_id])).toEqual([
      ['bob', 'a'.repeat(40)],
      ['carol', 'b'.repeat(40)],
    ]);
  });

  it('lists reviews oldest first, across pages, with pending ones only to their author', async () => {
    const server = await start();
    server.setPullRequest('acme', 'infra', 7);
    expect(() => server.seedReviews('acme', 'infra', 8, [])).toThrow(/set pull request/);
    server.seedReviews('acme', 'infra', 7, [
      { login: 'bob', state: 'APPROVED' },
      { login: 'carol', state: 'CHANGES_REQUESTED', body: 'Not like this' },
      { login: 'alice', state: 'PENDING' },
      { login: 'approver[bot]', state: 'COMMENTED', commitId: 'e'.repeat(40) },
    ]);
    const asBob = await call(server, 'GET', '/repos/acme/infra/pulls/7/reviews', { token: BOB.token });
    expect(asBob.json.map((r: any) => [r.user.login, r.state])).toEqual([
      ['bob', 'APPROVED'],
      ['carol', 'CHANGES_REQUESTED'],
      ['approver[bot]', 'COMMENTED'],
    ]);
    expect(responseProblem('GET', REVIEWS, 200, asBob.json)).toBeUndefined();
    expect(asBob.json[2]).toMatchObject({ user: { type: 'Bot' }, commit_id: 'e'.repeat(40) });
    const [first, second] = asBob.json;
    expect(Date.parse(first.submitted_at)).toBeLessThan(Date.parse(second.submitted_at));

    const asAlice = await call(server, 'GET', '/repos/acme/infra/pulls/7/reviews?per_page=2&page=2');
    expect(asAlice.json.map((r: any) => r.state)).toEqual(['PENDING', 'COMMENTED']);
    expect(asAlice.json[0]).not.toHaveProperty('submitted_at');
    expect(Object.keys(links(asAlice.headers.get('link')))).toEqual(['prev', 'first']);
    expect(responseProblem('GET', REVIEWS, 200, asAlice.json)).toBeUndefined();
    expect((await call(server, 'GET', '/repos/acme/infra/pulls/9/reviews')).status).toBe(404);
    expect(server.rejected).toEqual([]);
  });

  it("answers a user's permission: base role in permission, the role itself in role_name", async () => {
    const server = await start();
    const permission = async (login: string) => {
      const answer = await call(server, 'GET', `/repos/acme/infra/collaborators/${login}/permission`);
      expect(responseProblem('GET', PERMISSION, 200, answer.json)).toBeUndefined();
      return answer.json;
    };
    expect(await permission('acme')).toMatchObject({ permission: 'admin', role_name: 'admin', user: { login: 'acme', permissions: { admin: true, push: true, pull: true } } });
    expect(await permission('bob')).toMatchObject({ permission: 'read', role_name: 'read', user: { permissions: { push: false, pull: true } } });

    server.setPermission('acme', 'infra', 'Bob', 'maintain');
    expect(await permission('bob')).toMatchObject({ permission: 'write', role_name: 'maintain', user: { permissions: { admin: false, maintain: true, push: true } } });
    server.setPermission('acme', 'infra', 'carol', 'triage');
    expect(await permission('carol')).toMatchObject({ permission: 'read', role_name: 'triage', user: { permissions: { triage: true, push: false } } });
    server.setPermission('acme', 'infra', 'dave', { roleName: 'deployer', permission: 'write' });
    expect(await permission('dave')).toMatchObject({ permission: 'write', role_name: 'deployer' });
    server.setPermission('acme', 'infra', 'erin', 'none');
    expect(await permission('erin')).toMatchObject({ permission: 'none', role_name: 'none', user: { permissions: { pull: false } } });
    // Per repository.
    expect((await call(server, 'GET', '/repos/acme/other/collaborators/bob/permission')).json.role_name).toBe('read');
    expect(server.rejected).toEqual([]);
  });

  it('records reactions on comments, once per person and content, and counts them on the comment', async () => {
    const server = await start();
    const [comment] = server.seedComments('acme', 'infra', 7, 1);
    const path = `/repos/acme/infra/issues/comments/${comment!.id}/reactions`;

    const eyes = await call(server, 'POST', path, { token: ACTIONS.token, body: { content: 'eyes' } });
    expect(eyes.status).toBe(201);
    expect(eyes.json).toMatchObject({ content: 'eyes', user: { login: 'github-actions[bot]' } });
    expect(responseProblem('POST', REACTIONS, 201, eyes.json)).toBeUndefined();
    const again = await call(server, 'POST', path, { token: ACTIONS.token, body: { content: 'eyes' } });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(eyes.json);
    expect((await call(server, 'POST', path, { token: ACTIONS.token, body: { content: 'rocket' } })).status).toBe(201);
    expect((await call(server, 'POST', path, { body: { content: 'eyes' } })).status).toBe(201);

    expect(server.reactions(comment!.id)).toEqual([
      { content: 'eyes', login: 'github-actions[bot]' },
      { content: 'rocket', login: 'github-actions[bot]' },
      { content: 'eyes', login: 'alice' },
    ]);
    const fetched = await call(server, 'GET', `/repos/acme/infra/issues/comments/${comment!.id}`);
    expect(fetched.json.reactions).toMatchObject({ total_count: 3, eyes: 2, rocket: 1, confused: 0 });
    expect(responseProblem('GET', COMMENT, 200, fetched.json)).toBeUndefined();

    const wrong = await call(server, 'POST', path, { body: { content: 'tada' } });
    expect(wrong.status).toBe(422);
    expect(wrong.json.message).toMatch(/For 'properties\/content', "tada" is not one of/);
    expect((await call(server, 'POST', `/repos/acme/other/issues/comments/${comment!.id}/reactions`, { body: { content: 'eyes' } })).status).toBe(404);
    expect(server.rejected).toHaveLength(1);
    expect(server.reactions(comment!.id)).toHaveLength(3);
  });

  it("serves the pull request command's calls through Octokit", async () => {
    const server = await start();
    const octokit = getOctokit(ACTIONS.token, { baseUrl: server.url });
    const repo = { owner: 'acme', repo: 'infra' };
    server.setPullRequest('acme', 'infra', 7, { headSha: 'a'.repeat(40) });
    server.seedReviews(
      'acme',
      'infra',
      7,
      Array.from({ length: 120 }, (_, i) => ({ login: `reviewer-${i}`, state: 'APPROVED' as const })),
    );
    server.setPermission('acme', 'infra', 'bob', 'write');
    const [comment] = server.seedComments('acme', 'infra', 7, 1, { login: 'bob', body: '/pulumi up' });

    expect((await octokit.rest.pulls.get({ ...repo, pull_number: 7 })).data.head.sha).toBe('a'.repeat(40));
    expect(await octokit.paginate(octokit.rest.pulls.listReviews, { ...repo, pull_number: 7, per_page: 100 })).toHaveLength(120);
    expect((await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'bob' })).data.role_name).toBe('write');
    await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: comment!.id, content: 'eyes' });
    expect(server.reactions(comment!.id)).toEqual([{ content: 'eyes', login: 'github-actions[bot]' }]);
    expect(server.rejected).toEqual([]);
    expect(server.unhandled).toEqual([]);
  });

  it("serves @actions/github's Octokit, including octokit.paginate", async () => {
    const server = await start();
    server.seedComments('acme', 'infra', 7, 149);
    const octokit = getOctokit(ACTIONS.token, { baseUrl: server.url });
    const target = { owner: 'acme', repo: 'infra', issue_number: 7 };

    const { data: created } = await octokit.rest.issues.createComment({ ...target, body: 'from octokit' });
    expect(created.user?.login).toBe('github-actions[bot]');

    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...target, per_page: 100 });
    expect(all).toHaveLength(150);
    expect(all.at(-1)?.body).toBe('from octokit');

    await octokit.rest.issues.updateComment({ owner: 'acme', repo: 'infra', comment_id: created.id, body: 'edited' });
    expect(server.comments('acme', 'infra', 7).at(-1)?.body).toBe('edited');
    expect(server.rejected).toEqual([]);
    expect(server.requests.map((r) => r.path)).toContainEqual(expect.stringMatching(/^\/repositories\/\d+\/issues\/7\/comments$/));
  });
});

describe('GitHub API test server laid out as GitHub Enterprise Server, over HTTPS', () => {
  const target = { owner: 'acme', repo: 'infra', issue_number: 7 };
  let certDir: string;
  let certificate: ThrowawayCertificate;
  let trustedBefore: string[];

  beforeAll(() => {
    certDir = mkdtempSync(join(tmpdir(), 'github-api-tls-'));
    certificate = throwawayCertificate(certDir);
    // Global fetch and Octokit's fetch (undici's) both trust Node's default CAs, so this one call
    // stands in for the NODE_EXTRA_CA_CERTS=certFile a child process would be given.
    trustedBefore = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...trustedBefore, certificate.cert]);
  });

  afterAll(() => {
    tls.setDefaultCACertificates(trustedBefore);
    rmSync(certDir, { recursive: true, force: true });
  });

  const startEnterprise = () => start({ tls: certificate, pathPrefix: '/api/v3' });

  it('serves Octokit under /api/v3, with API URLs under the prefix and web URLs at the server', async () => {
    const server = await startEnterprise();
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
    expect(server.serverUrl).toBe(new URL(server.url).origin);
    const octokit = getOctokit(ACTIONS.token, { baseUrl: server.url });

    const { data: created, headers } = await octokit.rest.issues.createComment({ ...target, body: 'over TLS' });
    expect(created).toMatchObject({
      url: `${server.url}/repos/acme/infra/issues/comments/${created.id}`,
      issue_url: `${server.url}/repos/acme/infra/issues/7`,
      html_url: `${server.serverUrl}/acme/infra/issues/7#issuecomment-${created.id}`,
      user: {
        login: 'github-actions[bot]',
        url: `${server.url}/users/github-actions%5Bbot%5D`,
        html_url: `${server.serverUrl}/apps/github-actions`,
      },
    });
    expect(headers.location).toBe(created.url);
    expect(responseProblem('POST', COMMENTS, 201, created)).toBeUndefined();

    server.seedPullFiles('acme', 'infra', 9, ['stacks/dev/index.ts']);
    const { data: files } = await octokit.rest.pulls.listFiles({ owner: 'acme', repo: 'infra', pull_number: 9 });
    const [file] = files;
    expect(file!.contents_url.startsWith(`${server.url}/repos/acme/infra/contents/stacks/dev/index.ts?ref=`)).toBe(true);
    expect(file!.blob_url.startsWith(`${server.serverUrl}/acme/infra/blob/`)).toBe(true);

    expect(server.requests).toEqual([
      { method: 'POST', path: '/repos/acme/infra/issues/7/comments', status: 201 },
      { method: 'GET', path: '/repos/acme/infra/pulls/9/files', status: 200 },
    ]);
    expect(server.rejected).toEqual([]);
  });

  it('puts the prefix into Link headers, which octokit.paginate follows', async () => {
    const server = await startEnterprise();
    server.seedComments('acme', 'infra', 7, 150);
    const octokit = getOctokit(ALICE.token, { baseUrl: server.url });

    const first = await octokit.rest.issues.listComments({ ...target, per_page: 100 });
    const next = links(first.headers.link ?? null).next!;
    expect(next.startsWith(`${server.url}/repositories/`)).toBe(true);
    expect(next).toMatch(/\/api\/v3\/repositories\/\d+\/issues\/7\/comments\?per_page=100&page=2$/);

    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...target, per_page: 100 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 150 }, (_, i) => `Comment ${i + 1}`));
    expect(server.rejected).toEqual([]);
    expect(server.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/repos/acme/infra/issues/7/comments 200',
      '/repos/acme/infra/issues/7/comments 200',
      expect.stringMatching(/^\/repositories\/\d+\/issues\/7\/comments 200$/),
    ]);
  });

  it('answers GraphQL at /api/graphql, where Octokit sends it from a base URL ending in /api/v3', async () => {
    const server = await startEnterprise();
    const octokit = getOctokit(APP.token, { baseUrl: server.url });
    expect(await octokit.graphql('query { viewer { login } }')).toEqual({ viewer: { login: 'my-app[bot]' } });
    expect(server.requests).toEqual([{ method: 'POST', path: '/graphql', status: 200 }]);
    // Under the REST prefix it is not GraphQL but an unknown REST path.
    const underPrefix = await call(server, 'POST', '/graphql', { body: { query: '{ viewer { login } }' } });
    expect(underPrefix.status).toBe(404);
    expect(server.rejected).toEqual([{ method: 'POST', path: '/graphql', reason: 'path not in the OpenAPI description' }]);
  });

  it('refuses requests outside the prefix, and routes the prefix itself to the API root', async () => {
    const server = await startEnterprise();
    const unprefixed = getOctokit(ALICE.token, { baseUrl: server.serverUrl });
    await expect(unprefixed.rest.issues.listComments(target)).rejects.toMatchObject({ status: 404 });

    const authorization = `token ${ALICE.token}`;
    const lookalike = await fetch(`${server.serverUrl}/api/v3x/user`, { headers: { authorization } });
    expect(lookalike.status).toBe(404);
    const refusal = await lookalike.json();
    expect(refusal).toMatchObject({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

    expect(server.rejected).toEqual([
      { method: 'GET', path: '/repos/acme/infra/issues/7/comments', reason: "outside the API's path /api/v3" },
      { method: 'GET', path: '/api/v3x/user', reason: "outside the API's path /api/v3" },
    ]);
    expect(server.requests.map((r) => r.status)).toEqual([404, 404]);

    expect((await call(server, 'GET', '')).json.message).toBe('not implemented by the test server');
    expect(server.unhandled).toEqual([{ method: 'GET', path: '/', operationId: 'meta/root' }]);
  });

  it('fails and hangs requests matched by their unprefixed paths, and closes TLS connections', async () => {
    const server = await startEnterprise();
    const path = '/repos/acme/infra/issues/7/comments';
    server.failNext({ method: 'POST', path, status: 502 });
    expect((await call(server, 'POST', path, { body: { body: 'x' } })).status).toBe(502);

    server.hangNext({ method: 'GET', path: COMMENTS });
    const outcome = fetch(`${server.url}${path}`, { headers: { authorization: `token ${ALICE.token}` } }).then(
      () => 'answered',
      () => 'failed',
    );
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(server.requests[1]).toEqual({ method: 'GET', path, status: 0 });

    await server.close();
    expect(await outcome).toBe('failed');
  });

  it('takes TLS and the prefix each on its own', async () => {
    const plainPrefixed = await start({ pathPrefix: 'api/v3/' });
    expect(plainPrefixed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
    const user = await call(plainPrefixed, 'GET', '/user');
    expect(user.json).toMatchObject({
      url: `${plainPrefixed.url}/users/alice`,
      html_url: `${plainPrefixed.serverUrl}/alice`,
    });

    const tlsOnly = await start({ tls: certificate });
    expect(tlsOnly.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(tlsOnly.serverUrl).toBe('https://github.com');
    const created = await call(tlsOnly, 'POST', '/repos/acme/infra/issues/7/comments', { body: { body: 'hi' } });
    expect(created.json.html_url).toBe(`https://github.com/acme/infra/issues/7#issuecomment-${created.json.id}`);
    expect(created.json.url).toBe(`${tlsOnly.url}/repos/acme/infra/issues/comments/${created.json.id}`);
  });
});
