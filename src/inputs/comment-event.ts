// Reading the `issue_comment` event a pull-request command comes in: the inputs stage's part of
// pull-request commands (the vocabulary is model/pr-command.ts). Pure: the operation reads the
// event file and hands its JSON in.
import { code } from '../base/markdown.js';
import { clipLine, COMMAND_SYNTAX, COMMAND_WORD, PR_COMMANDS, type CommentEvent, type PrCommandName } from '../model/pr-command.js';

/**
 * Reads the `issue_comment` payload (GITHUB_EVENT_PATH's JSON). Only a new comment on a pull request
 * by a person counts: GitHub sends edits and deletions as the same event (a deleted command must
 * not run, an edited one would run twice), and marks the issues that are pull requests with
 * `issue.pull_request`. Bots are ignored, this action's own replies among them.
 */
export function parseCommentEvent(payload: unknown): CommentEvent {
  const event = asRecord(payload);
  const comment = asRecord(event?.comment);
  const issue = asRecord(event?.issue);
  const user = asRecord(comment?.user);
  const commentId = comment?.id;
  const pullNumber = issue?.number;
  const commenter = user?.login;
  if (!comment || !issue || !isId(commentId) || !isId(pullNumber) || typeof commenter !== 'string') {
    return { kind: 'ignored', reason: 'the event is not an issue_comment event (no comment and issue in its payload).' };
  }
  if (event?.action !== 'created') return { kind: 'ignored', reason: `the comment was ${String(event?.action)}, not created: only a new comment runs a command.` };
  if (!issue.pull_request) return { kind: 'ignored', reason: `#${pullNumber} is an issue, not a pull request.` };
  if (user?.type === 'Bot') return { kind: 'ignored', reason: `the comment is by a bot (${commenter}).` };

  const commentUrl = webUrl(comment.html_url);
  const where = { commentId, ...(commentUrl === undefined ? {} : { commentUrl }), commenter, pullNumber };
  const lines = commandLines(typeof comment.body === 'string' ? comment.body : '');
  if (lines.length === 0) return { kind: 'ignored', reason: `the comment has no ${COMMAND_WORD} line.` };
  const malformed = (reply: string): CommentEvent => ({ kind: 'malformed', ...where, reply });
  if (lines.length > 1) {
    return malformed(`This comment has ${lines.length} ${code(COMMAND_WORD)} lines; one comment runs one command. ${syntaxHint()}`);
  }
  const [line] = lines as [string];
  const [, name, stack, ...extra] = line.split(/\s+/);
  if (!isPrCommandName(name) || extra.length > 0) {
    return malformed(`${code(clipLine(line))} is not a command this action knows. ${syntaxHint()}`);
  }
  return { kind: 'command', command: { command: name, ...(stack === undefined ? {} : { stack }), ...where } };
}

function syntaxHint(): string {
  return `Write ${code(COMMAND_SYNTAX)} on a line of its own, for example ${code(`${COMMAND_WORD} preview`)}.`;
}

/**
 * The lines that start with the command word, outside fenced code (where a comment shows a command
 * rather than gives it). A quoted earlier command (`> /pulumi up`) does not start with it either.
 */
function commandLines(body: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    const run = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      // Closed by a line of the same character, at least as long, and nothing else.
      if (run !== undefined && line === run && run[0] === fence[0] && run.length >= fence.length) fence = undefined;
    } else if (run !== undefined) {
      fence = run;
    } else if (line === COMMAND_WORD || /^\/pulumi\s/.test(line)) {
      found.push(line);
    }
  }
  return found;
}

/** The reply puts it in a markdown link: nothing that could end the link or start markup. */
function webUrl(value: unknown): string | undefined {
  return typeof value === 'string' && /^https?:\/\/[^\s()<>[\]]+$/.test(value) ? value : undefined;
}
function isPrCommandName(value: string | undefined): value is PrCommandName {
  return (PR_COMMANDS as readonly (string | undefined)[]).includes(value);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
