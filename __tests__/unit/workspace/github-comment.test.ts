import { describe, expect, it } from '@jest/globals';
import { commentMarker, isOurComment, replyBody, replyMarker } from '../../../src/workspace/github-comment.js';

describe('commentMarker', () => {
  it('is a one-line hidden HTML comment with the identity as JSON', () => {
    expect(commentMarker('website', 'dev', 'preview')).toBe('<!-- pulumi-stack-action: {"project":"website","stack":"dev","command":"preview"} -->');
  });

  it('cannot be closed early or nested by hostile names, and round-trips them', () => {
    const marker = commentMarker('a-->b', 'x--!>y <!-- z', 'up\n');
    const inner = marker.slice('<!--'.length, -'-->'.length);
    expect(inner).not.toMatch(/--|[<>\n]/);
    expect(marker.startsWith('<!-- ') && marker.endsWith(' -->')).toBe(true);
    const json = inner.replace(/^ pulumi-stack-action: /, '').trimEnd();
    expect(JSON.parse(json)).toEqual({ project: 'a-->b', stack: 'x--!>y <!-- z', command: 'up\n' });
  });

  it('identifies our comment by its first line only', () => {
    const marker = commentMarker('website', 'dev', 'preview');
    expect(isOurComment(`${marker}\n## report`, marker)).toBe(true);
    expect(isOurComment(`${marker}\r\n## edited in the browser`, marker)).toBe(true);
    expect(isOurComment(marker, marker)).toBe(true);
    expect(isOurComment(`${commentMarker('website', 'dev', 'up')}\n## report`, marker)).toBe(false);
    expect(isOurComment(`quoting:\n${marker}`, marker)).toBe(false);
    expect(isOurComment(`${marker} extra\n`, marker)).toBe(false);
  });
});

describe('replyBody', () => {
  it('links the reply to the command and marks it with the comment id', () => {
    const body = replyBody({ commentId: 7, commentUrl: 'https://github.com/o/r/pull/1#issuecomment-7' }, 'Nobody approved it.');
    expect(body).toBe(`${replyMarker(7)}\n[This command](https://github.com/o/r/pull/1#issuecomment-7) did not run. Nobody approved it.`);
    expect(replyBody({ commentId: 7 }, 'x')).toBe(`${replyMarker(7)}\nThe command did not run. x`);
    expect(replyMarker(7)).not.toBe(replyMarker(70));
  });
});
