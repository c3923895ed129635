import { describe, expect, it } from '@jest/globals';
import { streamOf, type GeneratedResource } from '../../support/events.js';
import type { Outcome } from '../../../src/operation/operation.js';
import { planRun } from '../../../src/plan/plan.js';
import { buildReport, failureOf, updatePage } from '../../../src/report/build.js';
import { changeSummaryFromEvents } from '../../../src/model/changes.js';
import type { StackSettings } from '../../../src/model/settings.js';
import { stackSettings } from '../../support/settings.js';

const outcomeOf = (resources: GeneratedResource[], extra: Partial<Outcome> = {}): Outcome => ({
  changes: changeSummaryFromEvents(streamOf(resources)),
  logTail: ['last line'],
  lifecycle: [{ step: 'up', ok: true }],
  cancelled: false,
  ...extra,
});

function reportOf(settings: StackSettings, outcome: Outcome) {
  const report = buildReport(settings, planRun(settings), outcome, { stackRef: 'organization/shop/dev' });
  return { report, failure: failureOf(report, settings) };
}

describe('buildReport and failureOf', () => {
  const up = stackSettings({ command: 'up', stack: 'dev' });

  it('an update that changed something succeeded, one that changed nothing found no changes; neither fails', () => {
    expect(reportOf(up, outcomeOf([{ name: 'web', op: 'update' }]))).toMatchObject({ report: { result: 'succeeded', stackRef: 'organization/shop/dev' }, failure: undefined });
    expect(reportOf(up, outcomeOf([{ name: 'web', op: 'same' }]))).toMatchObject({ report: { result: 'no-changes' }, failure: undefined });
  });

  it('a failure fails the step with the error, and the report shows the log tail', () => {
    const { report, failure } = reportOf(up, outcomeOf([], { error: 'error: quota exceeded' }));
    expect(report).toMatchObject({ result: 'failed', error: 'error: quota exceeded', logTail: ['last line'] });
    expect(failure).toBe('error: quota exceeded');
    expect(reportOf(up, outcomeOf([])).report.logTail).toBeUndefined();
  });

  it('a cancellation is reported as one, whatever the error', () => {
    expect(reportOf(up, outcomeOf([], { cancelled: true, error: 'cancelled: x' }))).toMatchObject({ report: { result: 'cancelled' }, failure: 'cancelled: x' });
  });

  it('a refusal lists what would have been deleted and replaced, apart', () => {
    const gated = stackSettings({ command: 'up', stack: 'prod', deletesNeedApproval: true });
    const doomed: GeneratedResource[] = [
      { name: 'db', op: 'delete' },
      { name: 'cache', op: 'replace', type: 'aws:elasticache/cluster:Cluster' },
      { name: 'web', op: 'update' },
    ];
    const { report, failure } = reportOf(gated, outcomeOf(doomed, { refusal: 'Not without approval.' }));
    expect(report).toMatchObject({ result: 'refused', error: 'Not without approval.' });
    expect(failure).toBe('Not without approval. It would delete 1 resource(s): random:index/randomPet:RandomPet db. It would replace 1 resource(s): aws:elasticache/cluster:Cluster cache.');
  });

  it('a destroy refused by its gate is refused with the gate’s reason', () => {
    const destroy = stackSettings({ command: 'destroy', stack: 'prod' });
    const { report, failure } = reportOf(destroy, outcomeOf([{ name: 'db', op: 'delete' }]));
    expect(report.result).toBe('refused');
    expect(failure).toMatch(/^Destroying stack 'prod' needs approval: .* It would delete 1 resource\(s\)/);
  });

  it('drift is the result of a drift check, and fails the step only with fail-on-drift', () => {
    const drift = stackSettings({ command: 'drift', stack: 'dev' });
    expect(reportOf(drift, outcomeOf([{ name: 'web', op: 'update' }]))).toMatchObject({ report: { result: 'drifted', drifted: true }, failure: undefined });
    expect(reportOf(drift, outcomeOf([{ name: 'web', op: 'same' }])).report).toMatchObject({ result: 'no-changes', drifted: false });
    const strict = stackSettings({ command: 'drift', stack: 'dev', failOnDrift: true });
    expect(reportOf(strict, outcomeOf([{ name: 'web', op: 'delete' }])).failure).toMatch(/'fail-on-drift' is set/);
    expect(reportOf(up, outcomeOf([{ name: 'web', op: 'update' }])).report.drifted).toBeUndefined();
  });

  it('lists the steps of a smoke test only', () => {
    const smoke = stackSettings({ command: 'smoke', stack: 'smoke-1', ephemeralStacks: ['smoke-*'] });
    expect(reportOf(smoke, outcomeOf([])).report.lifecycle).toEqual([{ step: 'up', ok: true }]);
    expect(reportOf(up, outcomeOf([])).report.lifecycle).toBeUndefined();
  });
});

describe('updatePage', () => {
  const CONSOLE = 'https://app.pulumi.com';
  it("takes the CLI's link to an update or a preview of this very stack", () => {
    expect(updatePage('https://app.pulumi.com/acme/web/dev/updates/12', CONSOLE, 'acme/web/dev')).toBe('https://app.pulumi.com/acme/web/dev/updates/12');
    expect(updatePage('https://app.pulumi.com/acme/web/dev/previews/0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab', CONSOLE, 'acme/web/dev')).toBe(
      'https://app.pulumi.com/acme/web/dev/previews/0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab',
    );
  });

  it.each([
    ['another host', 'https://evil.example/acme/web/dev/updates/12'],
    ['a look-alike host', 'https://app.pulumi.com.evil.example/acme/web/dev/updates/12'],
    ['another stack', 'https://app.pulumi.com/acme/web/prod/updates/12'],
    ['more path', 'https://app.pulumi.com/acme/web/dev/updates/12/../../../../x'],
    ['a query', 'https://app.pulumi.com/acme/web/dev/updates/12?x=1'],
    ['no update', 'https://app.pulumi.com/acme/web/dev/'],
    ['an update 0', 'https://app.pulumi.com/acme/web/dev/updates/0'],
  ])('leaves out %s', (_, printed) => {
    expect(updatePage(printed, CONSOLE, 'acme/web/dev')).toBeUndefined();
  });

  it('takes nothing where the CLI can name no console, or printed no link', () => {
    expect(updatePage('https://app.pulumi.com/acme/web/dev/updates/12', undefined, 'acme/web/dev')).toBeUndefined();
    expect(updatePage(undefined, CONSOLE, 'acme/web/dev')).toBeUndefined();
  });
});
