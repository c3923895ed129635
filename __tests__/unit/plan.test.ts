import { describe, expect, it } from '@jest/globals';
import { destroyGate, isEphemeral } from '../../src/plan.js';

describe('destroyGate', () => {
  it('allows an approved destroy', () => {
    expect(destroyGate('prod', true, [])).toEqual({ allowed: true, reason: 'approved' });
  });

  it('allows a stack matching an ephemeral pattern', () => {
    expect(destroyGate('pr-42', false, ['smoke-*', 'pr-*'])).toEqual({ allowed: true, reason: 'ephemeral' });
  });

  it('refuses anything else and says how to approve', () => {
    const decision = destroyGate('prod', false, ['pr-*']);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toMatch(/PULUMI_DESTROY_APPROVED.*"true".*ephemeral-stacks/);
  });
});

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
