import { describe, expect, it } from '@jest/globals';
import { approvalGate, planRun, stateLossGuard } from '../../../src/plan/plan.js';
import type { StackSettings } from '../../../src/model/settings.js';
import { stackSettings, type StackSettingsOverrides } from '../../support/settings.js';

describe('approvalGate', () => {
  const approval = (user: string, state = 'approved', environments = ['production']) => ({ user, state, environments });

  it('allows a run approved for the environment by someone else', () => {
    expect(approvalGate([approval('reviewer')], 'production', ['author'])).toMatchObject({ allowed: true });
  });

  it('refuses a run with no approval for that environment', () => {
    const decision = approvalGate([approval('reviewer', 'approved', ['staging'])], 'production', ['author']);
    expect(decision).toMatchObject({ allowed: false });
    expect(decision.reason).toMatch(/no approval for the environment 'production'/);
  });

  it('refuses a run approved only by whoever triggered it', () => {
    expect(approvalGate([approval('author')], 'production', ['author']).reason).toMatch(/only by author, who started or re-ran it/);
  });

  it('refuses a re-run approved only by whoever re-ran it (GITHUB_TRIGGERING_ACTOR)', () => {
    const decision = approvalGate([approval('rerunner')], 'production', ['author', 'rerunner']);
    expect(decision).toMatchObject({ allowed: false, reason: expect.stringMatching(/only by rerunner, who started or re-ran it/) });
    expect(approvalGate([approval('rerunner'), approval('reviewer')], 'production', ['author', 'rerunner'])).toMatchObject({ allowed: true });
  });

  it('refuses a rejected run, even with another approval', () => {
    const decision = approvalGate([approval('reviewer'), approval('boss', 'rejected')], 'production', ['author']);
    expect(decision).toEqual({ allowed: false, reason: "boss rejected this run for the environment 'production'." });
  });
});

describe('stateLossGuard', () => {
  it('refuses a file backend inside RUNNER_TEMP', () => {
    expect(stateLossGuard('file:///runner/_temp/state', '/runner/_temp')).toMatchObject({ allowed: false });
    expect(stateLossGuard('file:///runner/_temp', '/runner/_temp').reason).toMatch(/allow-ephemeral-state/);
  });

  it('allows anything else', () => {
    expect(stateLossGuard('file:///runner/_temp2/state', '/runner/_temp').allowed).toBe(true);
    expect(stateLossGuard('s3://bucket', '/runner/_temp').allowed).toBe(true);
    expect(stateLossGuard(undefined, '/runner/_temp').allowed).toBe(true);
    expect(stateLossGuard('file:///tmp/state', undefined).allowed).toBe(true);
  });
});

describe('planRun', () => {
  const settings = (command: StackSettings['command'], extra: StackSettingsOverrides = {}) => stackSettings({ command, stack: 'dev', ...extra });

  it.each([
    ['preview', ['preview'], true],
    ['up', ['up'], true],
    ['refresh', ['refresh'], false],
    ['output', ['output'], false],
    ['drift', ['drift'], false],
    ['smoke', ['up', 'check-outputs'], true],
  ] as const)('%s runs %j (may create the stack: %s)', (command, steps, mayCreate) => {
    const plan = planRun(settings(command, { ephemeralStacks: ['dev'] }));
    expect(plan.steps).toEqual(steps);
    expect(plan.mayCreateStack).toBe(mayCreate);
  });

  it('always tears a smoke stack down', () => {
    expect(planRun(settings('smoke', { ephemeralStacks: ['dev'] })).always).toEqual(['destroy-and-remove']);
  });

  it('refreshes first when asked', () => {
    expect(planRun(settings('up', { refresh: true })).steps).toEqual(['refresh-first', 'up']);
  });

  it('turns a refused destroy into a destroy preview', () => {
    const plan = planRun(settings('destroy'));
    expect(plan.steps).toEqual(['destroy-preview']);
    expect(plan.refusal).toMatch(/needs approval/);
  });

  it('runs nothing for an up refused by the approval or the state-loss guard', () => {
    expect(planRun(settings('up'), { allowed: false, reason: 'no' })).toMatchObject({ steps: [], refusal: 'no' });
    const inTemp = { backendUrl: 'file:///t/state', runnerTemp: '/t' };
    expect(planRun(settings('up', inTemp)).steps).toEqual([]);
    expect(planRun(settings('up', { ...inTemp, allowEphemeralState: true })).steps).toEqual(['up']);
    expect(planRun(settings('up', { ...inTemp, ephemeralStacks: ['d*'] })).steps).toEqual(['up']);
  });

  it("with deletes-need-approval, applies the plan the gate judged: its own preview's, or the reviewed one", () => {
    expect(planRun(settings('up', { deletesNeedApproval: true, refresh: true })).steps).toEqual(['refresh-first', 'deletes-preview', 'up-as-previewed']);
    expect(planRun(settings('up', { deletesNeedApproval: true, planFile: '/w/plan.json' })).steps).toEqual(['deletes-plan-check', 'up']);
    expect(planRun(settings('up', { deletesNeedApproval: true, destroyApproved: true })).steps).toEqual(['up']);
    expect(planRun(settings('up', { deletesNeedApproval: true, ephemeralStacks: ['d*'] })).steps).toEqual(['up']);
  });

  it('clears pending operations after a destroy, but not once it removed the stack', () => {
    expect(planRun(settings('destroy', { destroyApproved: true })).clearsPending).toBe(true);
    expect(planRun(settings('destroy', { destroyApproved: true, operation: { remove: true } })).clearsPending).toBe(false);
  });

  it('does not prepare dependencies to read outputs', () => {
    expect(planRun(settings('output')).needsDependencies).toBe(false);
    expect(planRun(settings('up', { installDependencies: false })).needsDependencies).toBe(false);
  });
});
