import { describe, expect, it } from '@jest/globals';
import { parseCommentEvent } from '../../../src/inputs/comment-event.js';
import type { PrCommand } from '../../../src/model/pr-command.js';
import { examplePayload, prCommentPayload } from '../../support/webhook-examples.js';

/** The example payload's comment, issue and commenter, as the parser must read them. */
const EXAMPLE = examplePayload('issue_comment', (p) => p.action === 'created');
const COMMENT_ID: number = EXAMPLE.comment.id;
const PULL: number = EXAMPLE.issue.number;

function command(body: string, login = 'octocat'): PrCommand {
  const event = parseCommentEvent(prCommentPayload({ body, login }));
  if (event.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(event)}`);
  return event.command;
}

describe('parseCommentEvent', () => {
  it('reads a command from a PR comment, with the comment, commenter and pull request of the payload', () => {
    const payload = prCommentPayload({ body: '/pulumi up prod', login: 'octocat' });
    expect(parseCommentEvent(payload)).toEqual({
      kind: 'command',
      command: {
        command: 'up',
        stack: 'prod',
        commentId: COMMENT_ID,
        commentUrl: `https://github.com/Codertocat/Hello-World/pull/${PULL}#issuecomment-${COMMENT_ID}`,
        commenter: 'octocat',
        pullNumber: PULL,
      },
    });
  });

  it.each(['preview', 'up', 'refresh', 'destroy', 'unlock'])('knows %s, with and without a stack', (name) => {
    expect(command(`/pulumi ${name}`)).toMatchObject({ command: name });
    expect(command(`/pulumi ${name}`)).not.toHaveProperty('stack');
    expect(command(`/pulumi ${name} staging`)).toMatchObject({ command: name, stack: 'staging' });
  });

  it('finds the command on any line, between other text and around extra spaces', () => {
    expect(command('Looks good to me.\r\n\r\n   /pulumi   preview\tdev  \r\nThanks!')).toMatchObject({ command: 'preview', stack: 'dev' });
  });

  it("ignores GitHub's example comment, which gives no command", () => {
    const event = parseCommentEvent(prCommentPayload({ body: EXAMPLE.comment.body }));
    expect(event).toEqual({ kind: 'ignored', reason: 'the comment has no /pulumi line.' });
  });

  it.each([
    ['a comment on an issue', prCommentPayload({ body: '/pulumi up', onIssue: true }), /is an issue, not a pull request/],
    ['an edited comment', prCommentPayload({ body: '/pulumi up', action: 'edited' }), /was edited, not created/],
    ['a deleted comment', prCommentPayload({ body: '/pulumi up', action: 'deleted' }), /was deleted, not created/],
    ['a quoted command', prCommentPayload({ body: '> /pulumi up prod\n\nWhy did this fail?' }), /no \/pulumi line/],
    ['a command shown in fenced code', prCommentPayload({ body: 'Run\n```\n/pulumi up prod\n```\nwhen ready' }), /no \/pulumi line/],
    ['a command shown in a tilde fence', prCommentPayload({ body: '~~~~\n/pulumi up\n~~~\n~~~~' }), /no \/pulumi line/],
    ['another word that starts alike', prCommentPayload({ body: '/pulumiup prod' }), /no \/pulumi line/],
    ['a payload of another event', examplePayload('pull_request', (p) => p.action === 'opened'), /not an issue_comment event/],
    ['no payload at all', undefined, /not an issue_comment event/],
  ])('ignores %s', (_, payload, reason) => {
    const event = parseCommentEvent(payload);
    expect(event.kind).toBe('ignored');
    expect(event.kind === 'ignored' && event.reason).toMatch(reason);
  });

  it("ignores a bot's comment, this action's own replies among them", () => {
    const payload = prCommentPayload({ body: '/pulumi up prod', login: 'github-actions[bot]' });
    payload.comment.user.type = 'Bot';
    expect(parseCommentEvent(payload)).toEqual({ kind: 'ignored', reason: 'the comment is by a bot (github-actions[bot]).' });
  });

  it('counts a command after a fence that closed', () => {
    expect(command('```sh\npulumi stack ls\n```\n/pulumi refresh')).toMatchObject({ command: 'refresh' });
  });

  it.each([
    ['/pulumi', '<code>/pulumi</code> is not a command'],
    ['/pulumi deploy prod', '<code>/pulumi deploy prod</code> is not a command'],
    ['/pulumi UP', '<code>/pulumi UP</code> is not a command'],
    ['/pulumi up prod --target x', '<code>/pulumi up prod --target x</code> is not a command'],
    ['/pulumi preview dev\n/pulumi preview prod', 'This comment has 2 <code>/pulumi</code> lines'],
  ])('answers the malformed %j with the syntax', (body, start) => {
    const event = parseCommentEvent(prCommentPayload({ body, login: 'octocat' }));
    expect(event).toMatchObject({ kind: 'malformed', commentId: COMMENT_ID, commenter: 'octocat', pullNumber: PULL });
    const text = event.kind === 'malformed' ? event.reply : '';
    expect(text.startsWith(start)).toBe(true);
    // Backslash escapes inside <code> render as the character itself.
    expect(text).toContain('<code>/pulumi &lt;preview\\|up\\|refresh\\|destroy\\|unlock&gt; \\[stack\\]</code> on a line of its own');
  });

  it('shows a malformed line as code, cut short, so it can neither mention anyone nor change the layout', () => {
    const event = parseCommentEvent(prCommentPayload({ body: `/pulumi <img src=x> @acme/admins \`x\` ${'y'.repeat(300)}` }));
    const text = event.kind === 'malformed' ? event.reply : '';
    expect(text).toContain('<code>/pulumi &lt;img src=x&gt; @acme/admins \\`x\\` yyy');
    expect(text).not.toMatch(/<img|y{200}/);
  });

  it('leaves out a comment URL that is not a plain web address', () => {
    const payload = prCommentPayload({ body: '/pulumi up' });
    payload.comment.html_url = 'javascript:alert(1)';
    expect(parseCommentEvent(payload)).toMatchObject({ kind: 'command', command: { command: 'up' } });
    expect(parseCommentEvent(payload)).not.toHaveProperty('command.commentUrl');
  });
});
