import { describe, expect, it } from '@jest/globals';
import { cleanupCandidates, EPHEMERAL_TAGS, isEphemeral, matchesEveryStack, productionNameMatchedBy } from '../../../src/model/ephemeral.js';

describe('isEphemeral', () => {
  it.each([
    ['pr-1', ['pr-*'], true],
    ['prod', ['pr-*'], false],
    ['prod', [], false],
    ['smoke.1', ['smoke.*'], true],
    ['smokeX1', ['smoke.*'], false],
    ['prod', ['!pr-*'], false],
    ['pr-1-prod', ['pr-+([0-9])'], false],
    ['pr-12', ['pr-+([0-9])'], true],
    ['anything', ['*'], true],
  ])('%s against %j is %s', (stack, patterns, expected) => {
    expect(isEphemeral(stack, patterns)).toBe(expected);
  });
});

describe('matchesEveryStack', () => {
  it.each(['*', '**', '?*', '*?', '[a-z]*', '{*,pr-*}', '!(prod)', '*{,}'])('finds %s a catch-all', (pattern) => {
    expect(matchesEveryStack(pattern)).toBe(true);
  });

  it.each(['pr-*', 'smoke-*', '*-preview', 'pr-[0-9]*', 'dev', 'p*'])('lets %s through', (pattern) => {
    expect(matchesEveryStack(pattern)).toBe(false);
  });
});

describe('productionNameMatchedBy', () => {
  it.each([
    ['pr*', 'prod'],
    ['p*', 'prod'],
    ['*o*', 'prod'],
    ['prod*', 'prod'],
    ['*tion', 'production'],
    ['pr?', 'prd'],
    ['l*', 'live'],
    ['ma*', 'main'],
    ['*ter', 'master'],
    ['P*', 'Prod'],
    ['*ROD', 'PROD'],
    ['{pr-*,prod}', 'prod'],
  ])('finds that %s matches %s', (pattern, name) => {
    expect(productionNameMatchedBy(pattern)).toBe(name);
  });

  it.each(['pr-*', 'smoke-*', 'preview-*', '*-preview', 'pr-[0-9]*', 'guarded-*', 'ci', 'dev', 'prod-*', 'review-*', '!prod'])('lets %s through', (pattern) => {
    expect(productionNameMatchedBy(pattern)).toBeUndefined();
  });
});

describe('cleanupCandidates', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const stack = (name: string, tags: Record<string, string>) => ({ name, tags });
  const ephemeral = (expires: string, pr?: string) => ({
    [EPHEMERAL_TAGS.marker]: 'true',
    [EPHEMERAL_TAGS.expires]: expires,
    ...(pr ? { [EPHEMERAL_TAGS.pullRequest]: pr } : {}),
  });

  it('picks expired stacks and those of the closed pull request, nothing else', () => {
    const stacks = [
      stack('smoke-1', ephemeral('2026-11-30T11:00:00Z')),
      stack('smoke-2', ephemeral('2026-12-01T00:00:00Z', '7')),
      stack('smoke-3', ephemeral('2026-12-01T00:00:00Z', '8')),
      stack('prod', ephemeral('2026-11-01T00:00:00Z')),
      stack('smoke-4', { [EPHEMERAL_TAGS.expires]: '2026-11-01T00:00:00Z' }),
    ];
    expect(cleanupCandidates(stacks, ['smoke-*'], now, 7)).toEqual([
      { name: 'smoke-1', why: 'expired 2026-11-30T11:00:00.000Z' },
      { name: 'smoke-2', why: 'pull request #7 is closed' },
    ]);
    expect(cleanupCandidates(stacks, ['smoke-*'], now, undefined).map((s) => s.name)).toEqual(['smoke-1']);
  });
});
