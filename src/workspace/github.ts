// The one way this action talks to GitHub's API (REST, and GraphQL to ask who a token is): an
// Octokit client whose every request has a timeout and a retry that follows GitHub's `Retry-After`
// for rate limits and server errors, within a bound; a create is retried only by `createOnce`,
// which looks first. GITHUB_API_URL makes it work with GitHub Enterprise Server too (GraphQL at
// `<server>/api/graphql`, which Octokit derives from a base URL ending in /api/v3).
import type { getOctokit } from '@actions/github';
import type { CollaboratorPermission, CommandReaction, PullRequestReview, PullRequestState, RepositoryRef } from '../model/pr-command.js';

export type GitHub = ReturnType<typeof getOctokit>;

/** One review of this workflow run, as GitHub's run approvals API reports it. */
export interface RunApproval {
  state: 'approved' | 'rejected' | (string & {});
  user: string;
  environments: string[];
}

export type CommitState = 'pending' | 'success' | 'failure';

/** A commit status, as this action sets one (report/merge-check.ts says which). */
export interface CommitStatus {
  /** `pulumi/<project>/<stack>`: the name a branch protection rule requires. */
  context: string;
  state: CommitState;
  description: string;
}

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS = 3;
const MAX_RETRY_WAIT_MS = 10_000;

/** Loaded when first needed (about 40 ms): most runs have no pull request to comment on. */
export async function gitHubClient(token: string, apiUrl: string): Promise<GitHub> {
  const { getOctokit } = await import(/* webpackMode: "eager" */ '@actions/github');
  const github = getOctokit(token, { baseUrl: apiUrl });
  // A hook rather than per-call options, because pagination drops per-call request options.
  github.hook.wrap('request', (request, options) =>
    // GraphQL is POSTed too, but this action only reads through it.
    withRetry(options.method !== 'POST' || /\/graphql$/.test(options.url), async () => {
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      // Set in place: the hook's request function does not pick up a copied options object.
      options.request.signal = signal;
      try {
        return await request(options);
      } catch (err) {
        // Octokit reports an aborted request as a 500; a server that does not answer is not retried.
        if (signal.aborted) throw new RequestTimeout(`GitHub did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
        throw err;
      }
    }),
  );
  return github;
}

class RequestTimeout extends Error {
  override name = 'RequestTimeout';
}

/**
 * Retries rate limits, and server errors where `repeatable`, waiting as `Retry-After` asks, at most
 * MAX_ATTEMPTS times. A rate-limited request was not carried out; one answered 5xx may have been,
 * so a POST, which creates, is not repeated here.
 */
async function withRetry<T>(repeatable: boolean, call: () => T | Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const status = statusOf(err);
      const retryable = status === 429 || (repeatable && status >= 500);
      if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
      await pause(retryDelay(err, attempt));
    }
  }
}

/**
 * A create GitHub may carry out and still answer 5xx (a comment made, and a 502 for an answer):
 * before each new attempt `find` looks for what the failed one made, and its answer stands, so a
 * retry never makes a second.
 */
export async function createOnce<T>(create: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (statusOf(err) < 500 || attempt >= MAX_ATTEMPTS) throw err;
      await pause(retryDelay(err, attempt));
      const made = await find();
      if (made !== undefined) return made;
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function retryDelay(err: unknown, attempt: number): number {
  const header = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers?.['retry-after'];
  const seconds = header !== undefined ? Number(header) : NaN;
  const wanted = Number.isFinite(seconds) ? seconds * 1000 : 500 * 2 ** (attempt - 1);
  return Math.min(wanted, MAX_RETRY_WAIT_MS);
}

export function statusOf(err: unknown): number {
  return (err as { status?: number }).status ?? 0;
}

/** A one-line reason from an Octokit error (or anything else), for warnings and refusals. */
export function gitHubFailure(err: unknown): string {
  const status = statusOf(err);
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  if (err instanceof RequestTimeout) return err.message;
  return status ? `GitHub answered ${status} (${message})` : message;
}

/** Who reviewed this workflow run's deployments, for `require-approval`. */
export async function runApprovals(github: GitHub, owner: string, repo: string, runId: number): Promise<RunApproval[]> {
  const { data } = await github.rest.actions.getReviewsForRun({ owner, repo, run_id: runId });
  return data.map((review) => ({
    state: review.state,
    user: review.user?.login ?? '',
    environments: review.environments.map((e) => e.name ?? ''),
  }));
}

/** Every file a pull request changes (all pages; GitHub lists at most 3,000). */
export async function pullRequestFiles(github: GitHub, owner: string, repo: string, pullNumber: number): Promise<string[]> {
  const files = await github.paginate(github.rest.pulls.listFiles, { owner, repo, pull_number: pullNumber, per_page: 100 });
  return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
}

/**
 * A user's role in the repository, for a pull-request command. GitHub answers 404 for an account
 * that does not exist (deleted since it commented): no role at all.
 */
export async function collaboratorPermission(github: GitHub, owner: string, repo: string, username: string): Promise<CollaboratorPermission> {
  try {
    const { data } = await github.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    return { permission: data.permission, roleName: data.role_name };
  } catch (err) {
    if (statusOf(err) === 404) return { permission: 'none', roleName: 'none' };
    throw err;
  }
}

const MERGEABLE_READS = 4;
const MERGEABLE_PAUSE_MS = 1_000;

/**
 * The pull request's head, state and mergeability. GitHub answers `mergeable: null` while a background
 * job works it out (after a push, or a change of the base); with `awaitMergeable` it is read again,
 * a few times over a few seconds, and is still null only if GitHub takes longer than that.
 */
export async function pullRequestState(github: GitHub, owner: string, repo: string, pullNumber: number, options: { awaitMergeable?: boolean } = {}): Promise<PullRequestState> {
  for (let read = 1; ; read++) {
    const { data } = await github.rest.pulls.get({ owner, repo, pull_number: pullNumber });
    const state: PullRequestState = {
      number: data.number,
      headSha: data.head.sha,
      state: data.state === 'closed' ? 'closed' : 'open',
      merged: data.merged,
      mergeable: data.mergeable,
      headRepository: repositoryRef(data.head.repo),
      baseRepository: { id: data.base.repo.id, fullName: data.base.repo.full_name },
    };
    if (state.mergeable !== null || !options.awaitMergeable || state.state === 'closed' || read >= MERGEABLE_READS) return state;
    await pause(MERGEABLE_PAUSE_MS);
  }
}

/**
 * GitHub's description calls the head's repository required, but GitHub answers null for it once
 * a fork is deleted (its webhook descriptions say so): that must read as a repository unknown.
 */
function repositoryRef(repo: { id: number; full_name: string } | null): RepositoryRef | null {
  return repo === null ? null : { id: repo.id, fullName: repo.full_name };
}

/** Every submitted review of the pull request (all pages), oldest first, as GitHub lists them. */
export async function pullRequestReviews(github: GitHub, owner: string, repo: string, pullNumber: number): Promise<PullRequestReview[]> {
  const reviews = await github.paginate(github.rest.pulls.listReviews, { owner, repo, pull_number: pullNumber, per_page: 100 });
  return reviews.map((review) => ({
    reviewer: review.user?.login ?? '',
    reviewerIsBot: review.user?.type === 'Bot',
    state: review.state,
    commitId: review.commit_id,
  }));
}

/**
 * Reacts to the command comment. Reacting twice alike is no error (GitHub answers 200), so unlike
 * other creates this one may simply be repeated after a server error.
 */
export async function reactToComment(github: GitHub, owner: string, repo: string, commentId: number, content: CommandReaction): Promise<void> {
  await createOnce(
    () => github.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content }),
    async () => undefined,
  );
}

/**
 * Posts a reply on the pull request and returns its URL. The body is unique to the command it answers
 * (it carries the command comment's marker), so after a server error a comment with that very body
 * is the one the failed attempt made.
 */
export async function replyOnPullRequest(github: GitHub, owner: string, repo: string, pullNumber: number, body: string): Promise<string> {
  return createOnce(
    async () => (await github.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body })).data.html_url,
    async () => {
      const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number: pullNumber, per_page: 100 });
      return comments.find((c) => (c.body ?? '').replace(/\r\n/g, '\n') === body)?.html_url;
    },
  );
}

/**
 * Sets a commit status. Setting the same state again is harmless (GitHub keeps the latest status of
 * each context), so unlike other creates it may be repeated after a server error.
 */
export async function setCommitStatus(github: GitHub, owner: string, repo: string, sha: string, check: CommitStatus, targetUrl: string | undefined): Promise<void> {
  await createOnce(
    () => github.rest.repos.createCommitStatus({ owner, repo, sha, state: check.state, context: check.context, description: check.description, ...(targetUrl ? { target_url: targetUrl } : {}) }),
    async () => undefined,
  );
}
