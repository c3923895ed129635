// GitHub-flavoured markdown building blocks shared by the PR comment and the job summary, and the
// size budget both must respect. Anything that comes from a program, a provider or the engine goes
// through `escapeText`, `code` or `codeBlock`, so no name or message can change the layout, and
// none can mention a person or team, reference an issue or become a link.

/** How a size limit counts: characters for comments, UTF-8 bytes for the job summary. */
export type Measure = (text: string) => number;

export const countChars: Measure = (text) => text.length;
export const countUtf8Bytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

const INLINE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '\\\\',
  '`': '\\`',
  '*': '\\*',
  _: '\\_',
  '~': '\\~',
  '[': '\\[',
  ']': '\\]',
  // `\|` is also the escape GFM tables honour, so a pipe never splits a cell.
  '|': '\\|',
  // GitHub renders `$…$` as math.
  $: '\\$',
};
const INLINE_SPECIAL = /\r\n|[\r\n]|[&<>\\`*_~[\]|$]/g;

/**
 * Where GitHub would start a mention (`@user`, `@org/team`) or an issue reference (`#12`,
 * `owner/repo#12`, `GH-12`) outside code; an `@` or `#` that cannot start one (`#top`, `@ 9am`)
 * is left alone. Entities and backslash escapes do not help: GitHub looks for these in the rendered
 * text, after both are undone.
 */
const REFERENCE_START = /@(?=[A-Za-z0-9._-])|#(?=\d)|\b[Gg][Hh]-(?=\d)/g;

/**
 * Where GitHub's autolinker would start a link (GFM's autolink extension as GitHub's cmark-gfm
 * implements it): `http://`, `https://` and `ftp://` in any case, unless a letter comes before (the
 * scheme is then another word), and `www.`, in any case as other implementations take it. An issue
 * or pull request URL (on github.com or an Enterprise host) links and cross-references it. Links are
 * found while the markdown is parsed, so whatever an escape or an `*`, `_`, `~` or `(` leaves before
 * them counts: every one is broken, wherever it stands. An address (`ops@example.com`, `mailto:`)
 * needs the domain right after its `@`, which REFERENCE_START breaks.
 */
const LINK_START = /(?<![A-Za-z])(?:https?|ftp)(?=:\/\/)|www(?=\.)/gi;

/**
 * The same places inside `<code>`, where GitHub links URLs too (raw HTML's content is still
 * markdown), as the character after them: an entity there reads and copies as that character, but
 * the autolinker, which looks for `:` and `.` in the source, passes it by.
 */
const LINK_START_IN_CODE = /(?<![A-Za-z])(https?|ftp):(?=\/\/)|(www)\./gi;

/**
 * The `@` of an e-mail address inside `<code>` (escaped text: a local part before it, a domain with a
 * dot after it). GitHub links an address after the markdown is parsed, in the text an entity would
 * already have turned back into `@`, so an empty `<wbr>` after the `@` splits the text instead: it
 * adds no character to read or copy.
 */
const ADDRESS_AT_IN_CODE = /(?<=[A-Za-z0-9.+_-])@(?=(?:\\?[A-Za-z0-9_-]|\.)*\.[A-Za-z0-9])/g;

/**
 * Invisible, and not a line-break opportunity, but a character of its own: after it no mention or
 * reference can start, and the text still reads `@org/team` (a policy message can otherwise ping a
 * whole team, and a `#12` in a message links that issue to every pull request it is shown on); before
 * `://` or `.` no link can (`https://github.com/o/r/issues/1` would cross-reference that issue, and
 * any other URL would be a link in a comment the action signs).
 */
const WORD_JOINER = '\u2060';

/** `escapeText` for the action's own words, whose references are meant (a cleanup's "pull request #7 is closed"). */
export function escapeInline(text: string): string {
  return text.replace(INLINE_SPECIAL, (special) => INLINE_ESCAPES[special] ?? '<br>');
}

/**
 * Makes text inert in inline markdown (paragraphs, list items, table cells): HTML is entity-encoded,
 * markdown punctuation backslash-escaped and line breaks become `<br>`, so the text never starts a
 * block of its own; mentions, issue references and links are broken by a word joiner. They are
 * found in the text as given, before escaping hides what comes after an `_` or `*`.
 */
export function escapeText(text: string): string {
  return escapeInline(text.replace(REFERENCE_START, (start) => `${start}${WORD_JOINER}`).replace(LINK_START, (start) => `${start}${WORD_JOINER}`));
}

/** An identifier in code style. `<code>` rather than backticks: it needs no fence arithmetic, works in
 * table cells, and GitHub does not turn @names or #numbers inside it into mentions or issue links, so
 * the text is left as it is, to be copied; only a URL's `:` or `www.`'s dot is written as an entity,
 * and an address's `@` followed by `<wbr>`, which read and copy the same but keep GitHub from making
 * a link. */
export function code(text: string): string {
  const inert = escapeInline(text)
    .replace(LINK_START_IN_CODE, (_start, scheme?: string, www?: string) => (scheme ? `${scheme}&#58;` : `${www}&#46;`))
    .replace(ADDRESS_AT_IN_CODE, '@<wbr>');
  return `<code>${inert}</code>`;
}

/** A fence longer than any backtick run in the text, so no line of it can close the block. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function codeBlock(text: string): string {
  const body = normalizeNewlines(text);
  const fence = fenceFor(body);
  return `${fence}\n${body}\n${fence}`;
}

export function tableHeader(columns: readonly string[]): string {
  return `${tableRow(columns)}\n|${columns.map(() => ' --- |').join('')}`;
}

export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Opens a collapsible block; the summary must be our own text (it is raw HTML, not markdown). */
export function detailsOpen(summary: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n`;
}

export const DETAILS_CLOSE = '\n</details>';

/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair, saying how much went. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

function isHighSurrogate(charCode: number): boolean {
  return charCode >= 0xd800 && charCode <= 0xdbff;
}

/**
 * A list the size budget may shorten. Entries are whole markdown lines or blocks; `open`/`close`
 * (a table header, a fence) are only written when at least one entry is kept, `head`/`tail` always.
 */
export interface ShrinkableList {
  /** Non-empty first line(s). */
  head: string;
  open?: string;
  entries: readonly string[];
  close?: string;
  tail?: string;
  /** The note written in place of `count` dropped entries. */
  leftOut: (count: number) => string;
  /** Which end survives shortening: the top of a list, the end of a log. */
  keep: 'first' | 'last';
  /** Lists with a lower rank are shortened first. */
  shrinkRank: number;
  /**
   * Fuller forms of some entries (a resource with its changed properties), written in their place
   * while they fit. The budget drops them in this order, before it drops any list's entries.
   */
  details?: readonly ListDetail[];
}

export interface ListDetail {
  /** The index of the entry this text replaces. */
  entry: number;
  text: string;
}

/** A document is fixed blocks and shrinkable lists, separated by blank lines. */
export type Block = string | ShrinkableList;

const BLOCK_SEPARATOR = '\n\n';

function keptEntries(list: ShrinkableList, kept: number): readonly string[] {
  return list.keep === 'first' ? list.entries.slice(0, kept) : list.entries.slice(list.entries.length - kept);
}

/** The lines around the kept entries: what is written besides them. */
function listFrame(list: ShrinkableList, kept: number): { before: string[]; after: string[] } {
  const dropped = list.entries.length - kept;
  const note = dropped > 0 ? [list.leftOut(dropped)] : [];
  const open = kept > 0 && list.open !== undefined ? [list.open] : [];
  const close = kept > 0 && list.close !== undefined ? [list.close] : [];
  const tail = list.tail !== undefined ? [list.tail] : [];
  return list.keep === 'first' ? { before: [list.head, ...open], after: [...close, ...note, ...tail] } : { before: [list.head, ...note, ...open], after: [...close, ...tail] };
}

function renderList(list: ShrinkableList, kept: number): string {
  const { before, after } = listFrame(list, kept);
  return [...before, ...keptEntries(list, kept), ...after].join('\n');
}

/** Sizes a list for any number of kept entries in O(1), from prefix sums over its entries. */
class ListSizer {
  private readonly prefix: number[];

  constructor(
    private readonly list: ShrinkableList,
    private readonly measure: Measure,
  ) {
    const ordered = list.keep === 'first' ? list.entries : [...list.entries].reverse();
    this.prefix = [0];
    let sum = 0;
    for (const entry of ordered) {
      // Each entry costs its own size plus the newline that joins it to the frame.
      sum += measure(entry) + 1;
      this.prefix.push(sum);
    }
  }

  get total(): number {
    return this.list.entries.length;
  }

  size(kept: number): number {
    const { before, after } = listFrame(this.list, kept);
    return this.measure([...before, ...after].join('\n')) + this.prefix[kept]!;
  }

  /**
   * The most entries that fit in `budget`. Below `total` the size grows with each entry kept (an
   * entry outweighs the digit or plural the note loses), so a binary search finds it; the final
   * steps guard that reasoning rather than trust it.
   */
  mostThatFit(budget: number): number {
    if (this.size(this.total) <= budget) return this.total;
    let low = 0;
    let high = this.total - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.size(mid) <= budget) low = mid;
      else high = mid - 1;
    }
    while (low > 0 && this.size(low) > budget) low--;
    return low;
  }
}

function withDetails(list: ShrinkableList, details: readonly ListDetail[]): ShrinkableList {
  const entries = [...list.entries];
  for (const { entry, text } of details) entries[entry] = text;
  return { ...list, entries, details: [] };
}

function documentSize(blocks: readonly Block[], measure: Measure): number {
  const separators = measure(BLOCK_SEPARATOR) * Math.max(0, blocks.length - 1);
  return blocks.reduce((total, block) => {
    if (typeof block === 'string') return total + measure(block);
    const sizer = new ListSizer(block, measure);
    return total + sizer.size(sizer.total);
  }, separators);
}

/**
 * The blocks with as many details in place of their entries as fit in `limit`, lists in rank
 * order, each list's details dropped in the order it gives. A detail's cost is what it adds to its
 * entry: both measures add up over concatenation, so no list is rendered again to find out.
 */
function withDetailsThatFit(blocks: readonly Block[], limit: number, measure: Measure): readonly Block[] {
  const detailed = blocks.filter((block): block is ShrinkableList => typeof block !== 'string' && (block.details?.length ?? 0) > 0);
  if (detailed.length === 0) return blocks;
  let excess =
    documentSize(
      blocks.map((block) => (typeof block === 'string' || !block.details ? block : withDetails(block, block.details))),
      measure,
    ) - limit;
  const kept = new Map<ShrinkableList, readonly ListDetail[]>();
  for (const list of [...detailed].sort((a, b) => a.shrinkRank - b.shrinkRank)) {
    const details = list.details ?? [];
    let dropped = 0;
    while (excess > 0 && dropped < details.length) {
      const { entry, text } = details[dropped++]!;
      excess -= measure(text) - measure(list.entries[entry] ?? '');
    }
    kept.set(list, details.slice(dropped));
  }
  return blocks.map((block) => (typeof block === 'string' || !kept.has(block) ? block : withDetails(block, kept.get(block) ?? [])));
}

/**
 * Renders the blocks within `limit`: first leaving out lists' details, then shortening lists in
 * rank order, each by as little as needed. Linear in the document size: lists are sized from
 * prefix sums, never re-rendered to try a cut.
 */
export function renderWithin(allBlocks: readonly Block[], limit: number, measure: Measure): string {
  const blocks = withDetailsThatFit(allBlocks, limit, measure);
  const sizers = new Map<ShrinkableList, ListSizer>();
  let total = measure(BLOCK_SEPARATOR) * Math.max(0, blocks.length - 1);
  for (const block of blocks) {
    if (typeof block === 'string') total += measure(block);
    else {
      const sizer = new ListSizer(block, measure);
      sizers.set(block, sizer);
      total += sizer.size(sizer.total);
    }
  }
  const kept = new Map<ShrinkableList, number>();
  const byRank = [...sizers.keys()].sort((a, b) => a.shrinkRank - b.shrinkRank);
  for (const list of byRank) {
    if (total <= limit) break;
    const sizer = sizers.get(list)!;
    const full = sizer.size(sizer.total);
    const count = sizer.mostThatFit(full - (total - limit));
    kept.set(list, count);
    total += sizer.size(count) - full;
  }
  const text = blocks.map((block) => (typeof block === 'string' ? block : renderList(block, kept.get(block) ?? block.entries.length))).join(BLOCK_SEPARATOR);
  return measure(text) <= limit ? text : cutToFit(text, limit, measure);
}

const CUT_NOTE = '\n\n*… cut to fit the size limit.*';

/** Last resort when even the fixed blocks are too big: a hard cut at a character boundary. */
function cutToFit(text: string, limit: number, measure: Measure): string {
  const note = measure(CUT_NOTE) <= limit ? CUT_NOTE : '';
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(text.slice(0, mid) + note) <= limit) low = mid;
    else high = mid - 1;
  }
  const end = low > 0 && isHighSurrogate(text.charCodeAt(low - 1)) ? low - 1 : low;
  return text.slice(0, end) + note;
}
