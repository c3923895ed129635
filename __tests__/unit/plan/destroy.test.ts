import { describe, expect, it } from '@jest/globals';
import { isEphemeral } from '../../../src/model/ephemeral.js';
import { deletesGate, destroyGate, readUpdatePlan } from '../../../src/plan/destroy.js';

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
    expect(reading).toEqual({
      readable: true,
      resources: [
        { urn: 'urn:a', steps: ['same'] },
        { urn: 'urn:b', steps: [] },
      ],
    });
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
      reason: expect.stringMatching(
        /^The preview of stack 'prod' left an update plan that cannot be read \(it is not JSON\), so what the update would delete is unknown.*: run it again, or approve it as a destroy/,
      ),
    });
    expect(deletesGate('prod', planFile('{}')).reason).toMatch(
      /^The plan \/w\/plan.json of stack 'prod' left an update plan that cannot be read \(it has no resource plans\).*: save it again with 'command: preview' and 'plan'/,
    );
    expect(deletesGate('prod', preview(planText({ a: ['same'] }), false))).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^The preview of stack 'prod' ended without its summary, so what the update would delete is unknown/),
    });
  });
});
