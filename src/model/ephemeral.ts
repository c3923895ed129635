// Ephemeral stacks: which names are throwaway (`ephemeral-stacks`), the tags `smoke` leaves on its
// stacks, and which of them `cleanup` removes. Rules only, no I/O.
import picomatch from 'picomatch';

/** Ephemeral patterns are globs over the short stack name; dots are ordinary characters. */
export function isEphemeral(stack: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && picomatch(patterns as string[], { dot: true, nonegate: true })(stack);
}

/** Names with nothing in common: a pattern that matches them all matches any stack. */
const UNRELATED_NAMES = ['prod', 'x', '0', 'Zq_9.b-c'];

/**
 * A pattern that would make every stack ephemeral (`*`, `**`, `?*`, `{*,pr-*}`, `!(prod)`), and so
 * open the destroy gate for production: one with no literal part (what a negation names does not
 * count), or one that matches unrelated names.
 */
export function matchesEveryStack(pattern: string): boolean {
  const literal = pattern.replace(/!\([^)]*\)/g, '').replace(/\[[^\]]*\]|[*?{}(),|!+@]/g, '');
  return literal === '' || UNRELATED_NAMES.every((name) => isEphemeral(name, [pattern]));
}

/** What teams call production, in the spellings a stack name may use: no ephemeral pattern may match one. */
const PRODUCTION_NAMES = ['prod', 'production', 'prd', 'live', 'main', 'master'].flatMap((name) => [name, `${name[0]!.toUpperCase()}${name.slice(1)}`, name.toUpperCase()]);

/**
 * The production name a pattern matches, if any: a typo such as `pr*` for `pr-*` passes the
 * catch-all check yet makes `prod` ephemeral, which opens its destroy gate.
 */
export function productionNameMatchedBy(pattern: string): string | undefined {
  return PRODUCTION_NAMES.find((name) => isEphemeral(name, [pattern]));
}

/** An ephemeral stack as `cleanup` sees it: its name and the tags `smoke` gave it. */
export interface TaggedStack {
  name: string;
  tags: Record<string, string>;
}

/** Tags that `smoke` sets on its stacks, and `cleanup` reads. */
export const EPHEMERAL_TAGS = {
  marker: 'ephemeral',
  pullRequest: 'ephemeral:pull-request',
  commit: 'ephemeral:commit',
  created: 'ephemeral:created',
  expires: 'ephemeral:expires',
} as const;

/** The tags that let `cleanup` find a throwaway stack later, should its run die before tearing it down. */
export function ephemeralTags(now: Date, ttlMs: number, pullRequest: number | undefined, commit: string | undefined): Record<string, string> {
  const tags: Record<string, string | undefined> = {
    [EPHEMERAL_TAGS.marker]: 'true',
    [EPHEMERAL_TAGS.created]: now.toISOString(),
    [EPHEMERAL_TAGS.expires]: new Date(now.getTime() + ttlMs).toISOString(),
    [EPHEMERAL_TAGS.pullRequest]: pullRequest?.toString(),
    [EPHEMERAL_TAGS.commit]: commit,
  };
  return Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => Boolean(entry[1])));
}

/**
 * Which ephemeral stacks `cleanup` removes: tagged `ephemeral=true`, matching `ephemeral-stacks`,
 * and either past their expiry or belonging to the closed pull request.
 */
export function cleanupCandidates(stacks: readonly TaggedStack[], patterns: readonly string[], now: Date, closedPullRequest: number | undefined): { name: string; why: string }[] {
  return stacks.flatMap((stack) => {
    if (stack.tags[EPHEMERAL_TAGS.marker] !== 'true' || !isEphemeral(stack.name, patterns)) return [];
    const expires = Date.parse(stack.tags[EPHEMERAL_TAGS.expires] ?? '');
    if (Number.isFinite(expires) && expires <= now.getTime()) return [{ name: stack.name, why: `expired ${new Date(expires).toISOString()}` }];
    const pr = stack.tags[EPHEMERAL_TAGS.pullRequest];
    if (closedPullRequest !== undefined && pr === String(closedPullRequest)) return [{ name: stack.name, why: `pull request #${pr} is closed` }];
    return [];
  });
}
