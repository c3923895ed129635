// The comments the action writes on a pull request, and how each is found again. The sticky PR
// comment: one per (project, stack, command), found by the hidden marker in its body and by its
// author, across every page of comments, and updated in place. A reply to a pull-request command:
// its own marker, which tells it from the sticky comment and finds it after a create GitHub answered
// with a 5xx. A failure here never fails the step: the caller turns it into a warning.
import { createOnce, gitHubFailure, statusOf, type GitHub } from './github.js';
import type { CommentMode } from '../model/settings.js';

const MARKER_PREFIX = '<!-- pulumi-stack-action: ';
const MARKER_SUFFIX = ' -->';

/**
 * The hidden first line that identifies our sticky comment for one project, stack and command.
 * The identity is JSON with `<`, `>` and doubled `-` written as \u escapes, so no name can end
 * the HTML comment early (`-->`, `--!>`) or open another one.
 */
export function commentMarker(project: string, stack: string, command: string): string {
  const identity = JSON.stringify({ project, stack, command })
    .replace(/[<>]/g, (c) => (c === '<' ? '\\u003c' : '\\u003e'))
    .replace(/-(?=-)/g, '\\u002d');
  return `${MARKER_PREFIX}${identity}${MARKER_SUFFIX}`;
}

/** Whether a comment body is the sticky comment `marker` identifies (GitHub may store CRLF). */
export function isOurComment(body: string, marker: string): boolean {
  const end = body.indexOf('\n');
  const firstLine = end < 0 ? body : body.slice(0, end);
  return firstLine.replace(/\r$/, '') === marker;
}

/** The marker that makes a reply findable (after a create GitHub answered with a 5xx) and tells it from the sticky comment. */
export function replyMarker(commentId: number): string {
  return `<!-- pulumi-stack-action:pr-command-reply comment=${commentId} -->`;
}

/** The reply posted on the pull request: the refusal, after a link to the command it answers, and the marker. */
export function replyBody(to: { commentId: number; commentUrl?: string }, text: string): string {
  const about = to.commentUrl ? `[This command](${to.commentUrl})` : 'The command';
  return `${replyMarker(to.commentId)}\n${about} did not run. ${text}`;
}

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  mode: Exclude<CommentMode, 'off'>;
}

/** The login GitHub gives comments made with the workflow's own token (an app installation). */
const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

interface FoundComment {
  id: number;
  body: string;
  url: string;
}

export async function upsertComment(github: GitHub, target: CommentTarget, marker: string, body: string): Promise<string> {
  const base = { owner: target.owner, repo: target.repo };
  // Asked when first needed, then once: in `new` mode only a failed create looks for a comment.
  let login: Promise<string> | undefined;
  const findOwn = (wanted: (body: string) => boolean, newest = false) => findOwnComment(github, target, (login ??= tokenLogin(github)), wanted, newest);
  const update = async (id: number) => (await github.rest.issues.updateComment({ ...base, comment_id: id, body })).data.html_url;

  const existing = target.mode === 'update' ? await findOwn((b) => isOurComment(b, marker)) : undefined;
  if (existing) return update(existing.id);
  return createOnce(
    async () => (await github.rest.issues.createComment({ ...base, issue_number: target.issueNumber, body })).data.html_url,
    async () => {
      // In `update` mode the sticky comment, whoever made it meanwhile. In `new` mode the newest with
      // the very body sent, since earlier runs' comments carry the marker too; one identical to it
      // from an earlier run is kept rather than repeated, as nothing tells the two apart.
      const made = target.mode === 'update' ? await findOwn((b) => isOurComment(b, marker)) : await findOwn((b) => sameText(b, body), true);
      if (!made) return undefined;
      return sameText(made.body, body) ? made.url : update(made.id);
    },
  );
}

/**
 * With nothing to report (`no-changes-comment`): `skip` brings the sticky comment up to date where
 * there is one, so it shows no stale changes, and starts none; `delete` removes every comment of
 * ours for this stack and command. Returns the kept comment's URL.
 */
export async function settleQuietComment(github: GitHub, target: CommentTarget, marker: string, body: string, how: 'skip' | 'delete'): Promise<string | undefined> {
  const base = { owner: target.owner, repo: target.repo };
  const login = tokenLogin(github);
  if (how === 'skip') {
    const existing = target.mode === 'update' ? await findOwnComment(github, target, login, (b) => isOurComment(b, marker), false) : undefined;
    return existing ? (await github.rest.issues.updateComment({ ...base, comment_id: existing.id, body })).data.html_url : undefined;
  }
  // Found first, then deleted: deleting while paging would shift later comments onto pages already read.
  const doomed: FoundComment[] = [];
  for await (const comment of ownComments(github, target, login, (b) => isOurComment(b, marker))) doomed.push(comment);
  for (const comment of doomed) await github.rest.issues.deleteComment({ ...base, comment_id: comment.id });
  return undefined;
}

/** GitHub may store a body with CRLF line ends. */
function sameText(stored: string, sent: string): boolean {
  return stored.replace(/\r\n/g, '\n') === sent;
}

async function findOwnComment(github: GitHub, target: CommentTarget, login: Promise<string>, wanted: (body: string) => boolean, newest: boolean): Promise<FoundComment | undefined> {
  // GitHub lists oldest first: the first match is the oldest, the last one the newest.
  let found: FoundComment | undefined;
  for await (const comment of ownComments(github, target, login, wanted)) {
    found = comment;
    if (!newest) return found;
  }
  return found;
}

/** The token's comments on the pull request whose body `wanted` accepts, oldest first, page by page. */
async function* ownComments(github: GitHub, target: CommentTarget, login: Promise<string>, wanted: (body: string) => boolean): AsyncGenerator<FoundComment> {
  const author = await login;
  const pages = github.paginate.iterator(github.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const c of page.data) if (c.user?.login === author && wanted(c.body ?? '')) yield { id: c.id, body: c.body ?? '', url: c.html_url };
  }
}

/**
 * Who the token writes as. GraphQL's viewer answers for every kind of token, an installation of any
 * GitHub App included (`my-app[bot]` from actions/create-github-app-token), which GET /user refuses
 * with a 403. Only where GitHub will not say is it taken for the workflow's own token.
 */
async function tokenLogin(github: GitHub): Promise<string> {
  try {
    const { viewer } = await github.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
    return viewer.login;
  } catch (err) {
    // A bad token (401) or an outage is the warning's reason; a refusal to answer is not.
    const refused = statusOf(err) === 403 || statusOf(err) === 404 || (err as { name?: string }).name === 'GraphqlResponseError';
    if (refused) return WORKFLOW_TOKEN_LOGIN;
    throw err;
  }
}

/** The warning's reason, with what to do where the status says it. */
export function commentFailure(err: unknown): string {
  const status = statusOf(err);
  const reason = gitHubFailure(err);
  if (status === 403 || status === 404) {
    return `${reason}: the token cannot write comments here (a pull request from a fork gets a read-only token); grant 'pull-requests: write' or set 'comment-mode: off'.`;
  }
  if (status === 401) return `${reason}: check 'github-token'.`;
  return `${reason}.`;
}
