// The sticky PR comment: one per (project, stack, command), found by the hidden marker in its body
// and by its author, across every page of comments, and updated in place. A failure here never
// fails the step: the caller turns it into a warning.
import { getOctokit } from '@actions/github';
import type { CommentMode } from '../inputs.js';
import { isOurComment } from './model.js';

export interface CommentTarget {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  issueNumber: number;
  mode: Exclude<CommentMode, 'off'>;
}

/** The login GitHub gives comments made with the workflow's own token (an app installation). */
const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS = 3;
const MAX_RETRY_WAIT_MS = 10_000;

export async function upsertComment(target: CommentTarget, marker: string, body: string): Promise<string> {
  const octokit = getOctokit(target.token, {
    baseUrl: target.apiUrl,
    request: { retries: 0 },
  });
  const base = { owner: target.owner, repo: target.repo };

  const existing = target.mode === 'update' ? await findOwnComment(octokit, target, marker) : undefined;
  const response = existing
    ? await withRetry(() => octokit.rest.issues.updateComment({ ...base, comment_id: existing, body, request: timeout() }))
    : await withRetry(() => octokit.rest.issues.createComment({ ...base, issue_number: target.issueNumber, body, request: timeout() }));
  return response.data.html_url;
}

type Octokit = ReturnType<typeof getOctokit>;

async function findOwnComment(octokit: Octokit, target: CommentTarget, marker: string): Promise<number | undefined> {
  const login = await tokenLogin(octokit);
  const iterator = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
    request: timeout(),
  });
  for await (const page of iterator) {
    const mine = page.data.find((c) => c.user?.login === login && isOurComment(c.body ?? '', marker));
    if (mine) return mine.id;
  }
  return undefined;
}

/** A personal token can ask who it is; the workflow token cannot (403) and writes as the Actions bot. */
async function tokenLogin(octokit: Octokit): Promise<string> {
  try {
    return (await withRetry(() => octokit.rest.users.getAuthenticated({ request: timeout() }))).data.login;
  } catch (err) {
    if ((err as { status?: number }).status === 403) return WORKFLOW_TOKEN_LOGIN;
    throw err;
  }
}

function timeout() {
  return { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
}

/** Retries rate limits and server errors, waiting as `Retry-After` asks, within a bound. */
async function withRetry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      const retryable = status === 429 || status >= 500;
      if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, retryDelay(err, attempt)));
    }
  }
}

function retryDelay(err: unknown, attempt: number): number {
  const header = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers?.['retry-after'];
  const seconds = header !== undefined ? Number(header) : NaN;
  const wanted = Number.isFinite(seconds) ? seconds * 1000 : 500 * 2 ** (attempt - 1);
  return Math.min(wanted, MAX_RETRY_WAIT_MS);
}

/** A one-line reason for the warning, from an Octokit error or anything else. */
export function commentFailure(err: unknown): string {
  const status = (err as { status?: number }).status;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (status === 403 || status === 404) {
    return `GitHub answered ${status} (${message}): the token cannot write comments here (a pull request from a fork gets a read-only token); grant 'pull-requests: write' or use 'comment-mode: off'.`;
  }
  if (status === 401) return `GitHub answered 401 (${message}): check 'github-token'.`;
  return status ? `GitHub answered ${status}: ${message}` : message;
}
