// GitHub's own example webhook payloads (@octokit/webhooks-examples), for tests that need an event
// as GitHub sends it: a payload shape written by hand would share the blind spots of the code it
// tests. Tests change only what their case is about, on a copy.
import { createRequire } from 'node:module';

type Payload = Record<string, any>;

let index: { name: string; examples: Payload[] }[] | undefined;

/** One of GitHub's example payloads for `event`, the first that `match` accepts, as a copy. */
export function examplePayload(event: string, match: (payload: Payload) => boolean = () => true): Payload {
  index ??= createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Payload[] }[];
  const payload = index.find((e) => e.name === event)?.examples.find(match);
  if (!payload) throw new Error(`@octokit/webhooks-examples has no matching ${event} payload`);
  return structuredClone(payload);
}

export interface PrCommentOptions {
  body: string;
  /** Who comments; the example's own commenter (Codertocat, the repository's owner) when absent. */
  login?: string;
  /** `created` (the default), `edited` or `deleted`: the example of that action. */
  action?: 'created' | 'edited' | 'deleted';
  /** Leave the issue an issue rather than a pull request. */
  onIssue?: boolean;
  /** Another pull request of the example's repository than its #1, for a test of several. */
  pullNumber?: number;
}

/**
 * GitHub's example `issue_comment` payload made a comment on a pull request, as GitHub marks one:
 * the issue gains `pull_request` (its API and web links, and `merged_at`), and the comment's page
 * is under `/pull/`. Only the body and, if given, the commenter's login change besides.
 */
export function prCommentPayload(options: PrCommentOptions): Payload {
  const payload = examplePayload('issue_comment', (p) => p.action === (options.action ?? 'created'));
  const { issue, comment, repository } = payload;
  comment.body = options.body;
  if (options.pullNumber !== undefined) {
    for (const key of ['url', 'repository_url', 'labels_url', 'comments_url', 'events_url', 'html_url'] as const) {
      if (typeof issue[key] === 'string') issue[key] = issue[key].replace(`/issues/${issue.number}`, `/issues/${options.pullNumber}`);
    }
    comment.issue_url = issue.url;
    issue.number = options.pullNumber;
  }
  if (options.login !== undefined) renameUser(comment.user, options.login);
  if (!options.onIssue) {
    issue.pull_request = {
      url: `${repository.url}/pulls/${issue.number}`,
      html_url: `${repository.html_url}/pull/${issue.number}`,
      diff_url: `${repository.html_url}/pull/${issue.number}.diff`,
      patch_url: `${repository.html_url}/pull/${issue.number}.patch`,
      merged_at: null,
    };
    issue.html_url = issue.pull_request.html_url;
    comment.html_url = `${issue.pull_request.html_url}#issuecomment-${comment.id}`;
  }
  return payload;
}

/** Every URL of the user object follows its login, as GitHub's do. */
function renameUser(user: Payload, login: string): void {
  const from = user.login as string;
  for (const [key, value] of Object.entries(user)) {
    if (typeof value === 'string' && key.endsWith('url')) user[key] = value.replace(`/${from}`, `/${login}`);
  }
  user.login = login;
}
