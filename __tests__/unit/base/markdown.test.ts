import { describe, expect, it } from '@jest/globals';
import { code, escapeInline, escapeText } from '../../../src/base/markdown.js';
import { linksIn } from '../../support/gfm.js';

const WORD_JOINER = '\u2060';

describe('escapeText, links', () => {
  it.each([
    ['an issue URL', 'see https://github.com/octo-org/infra/issues/1', `see https${WORD_JOINER}://github.com/octo-org/infra/issues/1`],
    ['a pull request URL on GitHub Enterprise', 'https://ghe.example.com/o/r/pull/2.', `https${WORD_JOINER}://ghe.example.com/o/r/pull/2.`],
    ['http in capitals', 'HTTP://EXAMPLE.COM', `HTTP${WORD_JOINER}://EXAMPLE.COM`],
    ['a www. link', 'visit www.example.com/x', `visit www${WORD_JOINER}.example.com/x`],
    ['a Www. link', 'Www.example.com', `Www${WORD_JOINER}.example.com`],
    ['a URL after an underscore, which an escape would hide', '_https://a.b', `\\_https${WORD_JOINER}://a.b`],
    ['a URL in parentheses', '(https://a.b/c)', `(https${WORD_JOINER}://a.b/c)`],
    ['a URL after a digit', '1https://a.b', `1https${WORD_JOINER}://a.b`],
    ['a URL in a markdown link', '[x](https://a.b)', `\\[x\\](https${WORD_JOINER}://a.b)`],
    ['a URL in angle brackets', '<https://a.b>', `&lt;https${WORD_JOINER}://a.b&gt;`],
    ['a URL on a second line', 'boom\nhttps://a.b', `boom<br>https${WORD_JOINER}://a.b`],
  ])('breaks %s so GitHub links nothing, and it reads the same', (_what, text, expected) => {
    expect(escapeText(text)).toBe(expected);
    expect(linksIn(escapeText(text))).toEqual([]);
    expect(escapeText(text).replaceAll(WORD_JOINER, '')).toBe(escapeInline(text));
  });

  it('breaks what the rendering shows it would link without the word joiner', () => {
    for (const text of ['see https://github.com/o/r/issues/1', 'www.example.com', '_https://a.b', 'a@-b.com', 'mail a@b.com']) {
      expect(linksIn(escapeText(text).replaceAll(WORD_JOINER, ''))).not.toEqual([]);
      expect(linksIn(escapeText(text))).toEqual([]);
    }
  });

  // GitHub's cmark-gfm links these too (checked with its Python binding, cmarkgfm 2025.10.22).
  it.each([
    ['an ftp URL', 'ftp://files.example.com/a', `ftp${WORD_JOINER}://files.example.com/a`],
    ['a mailto: address', 'mailto:ops@example.com', `mailto:ops@${WORD_JOINER}example.com`],
    ['an xmpp: address', 'xmpp:ops@example.com', `xmpp:ops@${WORD_JOINER}example.com`],
    ['an address whose domain starts with a dash', 'a@-b.com', `a@${WORD_JOINER}-b.com`],
    ['an address whose domain starts with a dot', 'a@.b.com', `a@${WORD_JOINER}.b.com`],
    ['an address whose domain starts with an underscore, escaped', 'a@_b.com', `a@${WORD_JOINER}\\_b.com`],
  ])('breaks %s', (_what, text, expected) => {
    expect(escapeText(text)).toBe(expected);
  });

  it.each([
    ['a scheme inside a longer word', 'xhttps://a.b'],
    ['a scheme without //', 'https:a.b'],
    ['a www without a dot', 'www-data'],
    ['an @ before a space', 'at @ 9am'],
  ])('leaves alone %s, which links nothing', (_what, text) => {
    expect(escapeText(text)).toBe(text);
    expect(linksIn(text)).toEqual([]);
  });
});

describe('code, links', () => {
  it.each([
    ['an issue URL', 'https://github.com/o/r/issues/1', '<code>https&#58;//github.com/o/r/issues/1</code>'],
    ['a URL after a space', 'url https://a.b', '<code>url https&#58;//a.b</code>'],
    ['a www. link after a space', 'x www.a.b', '<code>x www&#46;a.b</code>'],
  ])('keeps %s from linking inside <code>, where GitHub still links, with the same text', (_what, text, expected) => {
    expect(linksIn(`<code>${text.replace(/&/g, '&amp;')}</code>`)).not.toEqual([]);
    expect(code(text)).toBe(expected);
    expect(linksIn(code(text))).toEqual([]);
  });

  it('keeps an ftp URL from linking, which cmark-gfm links inside <code> too', () => {
    expect(code('FTP://a.b')).toBe('<code>FTP&#58;//a.b</code>');
  });

  it.each([
    ['an address', 'ops@example.com', '<code>ops@<wbr>example.com</code>'],
    ['a mailto: address', 'mailto:ops@example.com', '<code>mailto:ops@<wbr>example.com</code>'],
    ['an address with an underscore', 'a_b@c_d.e', '<code>a\\_b@<wbr>c\\_d.e</code>'],
  ])('keeps %s from linking inside <code>, adding nothing to read or copy', (_what, text, expected) => {
    expect(linksIn(`<code>${text}</code>`)).not.toEqual([]);
    expect(code(text)).toBe(expected);
    expect(linksIn(code(text))).toEqual([]);
  });

  it.each(['@dave', 'pr-@x', 'user@host', 'postgres://app:***@db/app', '@org/team'])('leaves %s in <code> as it is: no address', (text) => {
    expect(code(text)).not.toContain('<wbr>');
  });

  it('adds no invisible character: code is there to be copied', () => {
    expect(code('https://a.b/@x#1 www.c.d')).not.toContain(WORD_JOINER);
  });
});
