// The sticky PR comment: one per (project, stack, command), found by the hidden marker in its body
// and by its author, across every page of comments, and updated in place. A failure here never
// fails the step: the caller turns it into a warning.
import { gitHubFailure, statusOf, type GitHub } from '../github.js';
import type { CommentMode } from '../inputs.js';
import { isOurComment } from './model.js';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  mode: Exclude<CommentMode, 'off'>;
}

/** The login GitHub gives comments made with the workflow's own token (an app installation). */
const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

export async function upsertComment(github: GitHub, target: CommentTarget, marker: string, body: string): Promise<string> {
  const base = { owner: target.owner, repo: target.repo };
  const existing = target.mode === 'update' ? await findOwnComment(github, target, marker) : undefined;
  const response = existing
    ? await github.rest.issues.updateComment({ ...base, comment_id: existing, body })
    : await github.rest.issues.createComment({ ...base, issue_number: target.issueNumber, body });
  return response.data.html_url;
}

async function findOwnComment(github: GitHub, target: CommentTarget, marker: string): Promise<number | undefined> {
  const login = await tokenLogin(github);
  const pages = github.paginate.iterator(github.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    const mine = page.data.find((c) => c.user?.login === login && isOurComment(c.body ?? '', marker));
    if (mine) return mine.id;
  }
  return undefined;
}

/** A personal token can ask who it is; the workflow token cannot (403) and writes as the Actions bot. */
async function tokenLogin(github: GitHub): Promise<string> {
  try {
    return (await github.rest.users.getAuthenticated()).data.login;
  } catch (err) {
    if (statusOf(err) === 403) return WORKFLOW_TOKEN_LOGIN;
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
