// What GitHub would make a link of in a comment or a job summary: the markdown rendered by micromark
// with its GFM extensions, an implementation of GitHub's autolink rules written by other hands than
// the action's. Raw HTML is kept, as GitHub keeps `<code>`, `<br>` and `<details>`: text inside a
// `<code>` element is still markdown, and GitHub links URLs there too. (GitHub's cmark-gfm also
// links `ftp://` and `mailto:`, which micromark does not; the unit tests cover those by hand.)
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

/** The target of every link in the rendered markdown, in order. */
export function linksIn(markdown: string): string[] {
  const html = micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  return [...html.matchAll(/<a href="([^"]*)"/g)].map((match) => match[1]!);
}
