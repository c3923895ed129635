// The merge check a report makes on the pull request's head, from recorded engine events.
import { describe, expect, it } from '@jest/globals';
import { mergeCheck, mergeCheckContext, STATUS_DESCRIPTION_MAX } from '../../../src/report/merge-check.js';
import { loadEvents, reportFrom } from '../../support/events.js';

const HEAD = 'c0ffee1234567890abcdef1234567890abcdef12';
const scope = { headSha: HEAD, partial: false };
const held = (self: number, holder: number) => ({ stack: 'dev', self, holder: { pullNumber: holder }, released: [] });

describe('mergeCheck', () => {
  it('names the check after the project and the stack: monorepos share stack names', () => {
    expect(mergeCheckContext('website', 'dev')).toBe('pulumi/website/dev');
    expect(mergeCheck(reportFrom(loadEvents('preview-no-changes.json')), scope)?.context).toBe('pulumi/website/dev');
  });

  it.each([
    ['a preview with changes', 'preview-update-replace-delete.json', {}, 'pending', 'Not applied: 2 to update, 1 to replace, 1 to delete'],
    ['a preview with changes while another pull request holds the stack', 'preview-creates.json', { lock: held(13, 12) }, 'pending', 'Not applied: 6 to create; locked by #12'],
    ['a preview with none', 'preview-no-changes.json', {}, 'success', 'No changes: dev matches c0ffee1'],
    ['a failed preview', 'preview-creates.json', { result: 'failed' }, 'failure', 'The preview of c0ffee1 failed'],
    ['an up that applied the head', 'up-creates.json', { command: 'up' }, 'success', 'Applied c0ffee1: nothing left to change'],
    ['an up that found nothing to change', 'preview-no-changes.json', { command: 'up' }, 'success', 'Applied c0ffee1: nothing left to change'],
    ['a failed up', 'up-failed.json', { command: 'up', result: 'failed' }, 'failure', 'The update of c0ffee1 failed'],
    ['a cancelled up', 'up-creates.json', { command: 'up', result: 'cancelled' }, 'failure', 'The update of c0ffee1 was cancelled'],
    ['an up refused for another pull request’s lock', 'preview-no-changes.json', { command: 'up', result: 'refused', lock: held(13, 12) }, 'pending', 'Not applied; locked by #12'],
    ['an up a gate refused', 'preview-update-replace-delete.json', { command: 'up', result: 'refused', lock: held(13, 13) }, 'failure', 'The update of c0ffee1 was refused'],
  ] as const)('%s', (_, fixture, overrides, state, description) => {
    const check = mergeCheck(reportFrom(loadEvents(fixture), overrides), scope);
    expect(check).toEqual({ context: 'pulumi/website/dev', state, description });
  });

  it.each([
    ['a refresh', { command: 'refresh' }],
    ['a destroy', { command: 'destroy' }],
    ['a smoke test', { command: 'smoke' }],
    ['a cancelled preview', { result: 'cancelled' }],
  ] as const)('sets none for %s, which applies no head', (_, overrides) => {
    expect(mergeCheck(reportFrom(loadEvents('preview-creates.json'), overrides), scope)).toBeUndefined();
  });

  it('sets none for a run that covered part of the stack (target, exclude)', () => {
    expect(mergeCheck(reportFrom(loadEvents('up-creates.json'), { command: 'up' }), { headSha: HEAD, partial: true })).toBeUndefined();
  });

  it('keeps the description within the 140 characters GitHub takes', () => {
    const check = mergeCheck(reportFrom(loadEvents('preview-no-changes.json'), { stack: 's'.repeat(200) }), scope)!;
    expect(check.description).toHaveLength(STATUS_DESCRIPTION_MAX);
    expect(check.description.endsWith('…')).toBe(true);
  });
});
