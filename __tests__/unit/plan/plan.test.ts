import { describe, expect, it } from '@jest/globals';
import { cleanupCandidates, EPHEMERAL_TAGS, isEphemeral, matchesEveryStack, productionNameMatchedBy } from '../../../src/model/ephemeral.js';
import { deletesGate, destroyGate, readUpdatePlan } from '../../../src/plan/destroy.js';
import { approvalGate, planRun, stateLossGuard } from '../../../src/plan/plan.js';
import type { StackSettings } from '../../../src/model/settings.js';

describe('destroyGate', () => {
  it('allows an approved destroy', () => {
    expect(destroyGate('prod', true, false)).toEqual({ allowed: true, reason: 'approved' });
  });

  it('allows a stack matching an ephemeral pattern', () => {
    expect(destroyGate('pr-42', false, isEphemeral('pr-42', ['smoke-*', 'pr-*']))).toEqual({ allowed: true, reason: 'ephemeral' });
  });

  it('refuses anything else and says how to approve', () => {
    const decision = destroyGate('prod', false, isEphemeral('prod', ['pr-*']));
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
  const settings = (command: StackSettings['command'], extra: Partial<StackSettings> = {}) => {
    const ephemeral = isEphemeral('dev', extra.ephemeralStacks ?? []);
    return { command, stack: 'dev', refresh: false, installDependencies: true, destroyApproved: false, ephemeralStacks: [], ephemeral, allowEphemeralState: false, operation: operation(), ...extra } as StackSettings;
  };
  const operation = (options: Partial<StackSettings['operation']> = {}) => ({ remove: false, ...options }) as StackSettings['operation'];

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
    expect(planRun(settings('destroy', { destroyApproved: true, operation: operation({ remove: true }) })).clearsPending).toBe(false);
  });

  it('does not prepare dependencies to read outputs', () => {
    expect(planRun(settings('output')).needsDependencies).toBe(false);
    expect(planRun(settings('up', { installDependencies: false })).needsDependencies).toBe(false);
  });
});

/** A plan file's text as `pulumi preview --save-plan` writes it, with these steps per resource name. */
function planText(steps: Record<string, string[]>): string {
  const urn = (name: string) => `urn:pulumi:prod::shop::pulumi-python:dynamic/files:File::${name}`;
  return JSON.stringify({
    manifest: { time: '2026-12-06T00:00:00Z', magic: 'x', version: 'v3.274.1' },
    resourcePlans: {
      'urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod': { goal: { type: 'pulumi:pulumi:Stack', name: 'shop-prod' }, steps: ['same'], state: {} },
      ...Object.fromEntries(Object.entries(steps).map(([name, ops]) => [urn(name), { steps: ops, state: {} }])),
    },
  });
}

describe('readUpdatePlan', () => {
  it("reads each resource's steps, an absent list as none", () => {
    const reading = readUpdatePlan(JSON.stringify({ resourcePlans: { 'urn:a': { steps: ['same'] }, 'urn:b': { state: {} } } }));
    expect(reading).toEqual({ readable: true, resources: [{ urn: 'urn:a', steps: ['same'] }, { urn: 'urn:b', steps: [] }] });
  });

  it.each([
    ['text that is not JSON', '{"resourcePlans": ', /not JSON/],
    ['a list', '[]', /no resource plans/],
    ['no resource plans', '{"manifest": {}}', /no resource plans/],
    ['empty resource plans', '{"resourcePlans": {}}', /no resource plans/],
    ['steps that are not a list', '{"resourcePlans": {"urn:a": {"steps": "delete"}}}', /the plan of urn:a has no list of steps/],
    ['a resource plan that is no object', '{"resourcePlans": {"urn:a": null}}', /the plan of urn:a has no list of steps/],
    ['a step it does not know', '{"resourcePlans": {"urn:a": {"steps": ["obliterate"]}}}', /the step 'obliterate' for urn:a, which this action does not know/],
  ])('cannot be sure of %s', (_, text, why) => {
    const reading = readUpdatePlan(text);
    expect(reading.readable).toBe(false);
    expect(!reading.readable && reading.why).toMatch(why);
  });
});

describe('deletesGate', () => {
  const preview = (text: string, complete = true) => ({ source: 'preview' as const, plan: readUpdatePlan(text), complete });
  const planFile = (text: string) => ({ source: 'plan-file' as const, file: '/w/plan.json', plan: readUpdatePlan(text) });

  it('opens for a plan that creates, updates, reads and keeps', () => {
    expect(deletesGate('prod', preview(planText({ a: ['same'], b: ['create'], c: ['update'], d: ['read'], e: ['import'], f: ['discard'] })))).toEqual({
      allowed: true,
      reason: 'the update deletes and replaces nothing',
    });
    expect(deletesGate('prod', planFile(planText({ a: ['update'] }))).allowed).toBe(true);
  });

  it('refuses a plan that deletes or replaces anything, as each step of a replacement says', () => {
    expect(deletesGate('prod', preview(planText({ a: ['same'], b: ['delete'] })))).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^The update of stack 'prod' would delete or replace resources, and 'deletes-need-approval' is set: approve it as a destroy \(PULUMI_DESTROY_APPROVED="true"/),
    });
    for (const step of ['replace', 'create-replacement', 'delete-replaced', 'read-replacement', 'import-replacement', 'discard-replaced', 'remove-pending-replace']) {
      expect(deletesGate('prod', preview(planText({ a: [step] }))).allowed).toBe(false);
    }
  });

  it('lists what a reviewed plan deletes and replaces, having no preview to list it', () => {
    const decision = deletesGate('prod', planFile(planText({ a: ['delete'], b: ['create-replacement', 'replace', 'delete-replaced'], c: ['same'] })));
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe(
      `The plan /w/plan.json of stack 'prod' would delete or replace resources, and 'deletes-need-approval' is set: approve it as a destroy (PULUMI_DESTROY_APPROVED="true" in a job bound to a protected environment), or change the program so it keeps them. ` +
        'It would delete 1 resource(s): pulumi-python:dynamic/files:File a. It would replace 1 resource(s): pulumi-python:dynamic/files:File b.',
    );
  });

  it('names the type of a child resource, and the whole of a name holding ::', () => {
    const text = JSON.stringify({ resourcePlans: { 'urn:pulumi:prod::shop::my:comp:Comp$aws:s3/bucket:Bucket::logs::eu': { steps: ['delete'] } } });
    expect(deletesGate('prod', planFile(text)).reason).toContain('It would delete 1 resource(s): aws:s3/bucket:Bucket logs::eu.');
  });

  it('fails closed: an unreadable plan, a preview without its summary', () => {
    expect(deletesGate('prod', preview('not json'))).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^The preview of stack 'prod' left an update plan that cannot be read \(it is not JSON\), so what the update would delete is unknown.*: run it again, or approve it as a destroy/),
    });
    expect(deletesGate('prod', planFile('{}')).reason).toMatch(/^The plan \/w\/plan.json of stack 'prod' left an update plan that cannot be read \(it has no resource plans\).*: save it again with 'command: preview' and 'plan'/);
    expect(deletesGate('prod', preview(planText({ a: ['same'] }), false))).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^The preview of stack 'prod' ended without its summary, so what the update would delete is unknown/),
    });
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
