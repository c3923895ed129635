import { describe, expect, it } from '@jest/globals';
import { generatedResources, loadEvents, reportFrom, streamOf } from '../../support/events.js';
import { renderComment } from '../../../src/report/comment.js';
import { Redactor } from '../../../src/operation/redact.js';
import { JOB_SUMMARY_MAX_BYTES, renderCleanupSummary, renderJobSummary } from '../../../src/report/summary.js';
import { linksIn } from '../../support/gfm.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('renderJobSummary', () => {
  it('is the comment without its marker and without a link to the run it is on', () => {
    const report = reportFrom(loadEvents('up-update-replace-delete.json'), { command: 'up', runUrl: 'https://github.com/acme/website/actions/runs/42' });
    const summary = renderJobSummary(report);
    const comment = renderComment(report);
    expect(summary.startsWith('## ✅ <code>pulumi up</code> succeeded on <code>acme/website/dev</code>')).toBe(true);
    expect(summary).not.toContain('<!--');
    expect(summary).not.toContain('View the workflow run');
    expect(comment).toContain(`\n\n${summary}\n\n[View the workflow run]`);
  });

  it('masks secrets', () => {
    const report = reportFrom(loadEvents('up-failed.json'), { result: 'failed', error: 'token tok-123 expired' });
    expect(renderJobSummary(new Redactor().add(['tok-123']).report(report))).toContain('token *** expired');
  });

  it('stays within 1 MiB counted in UTF-8 bytes, not characters', () => {
    // Two-byte characters: the full summary is under 1 Mi characters but over 1 MiB.
    const name = (i: number): string => `ресурс-${'я'.repeat(20)}-${i}`;
    const resources = generatedResources(10_000, () => 'create').map((resource, i) => ({ ...resource, name: name(i) }));
    const report = reportFrom(streamOf(resources));
    const summary = renderJobSummary(report);
    expect(bytes(summary)).toBeLessThanOrEqual(JOB_SUMMARY_MAX_BYTES);
    expect(bytes(summary)).toBeGreaterThan(JOB_SUMMARY_MAX_BYTES - 500);
    expect(renderJobSummary(report, { maxBytes: Infinity }).length).toBeLessThan(JOB_SUMMARY_MAX_BYTES);
    const kept = summary.split('\n').filter((line) => line.startsWith('- <code>ресурс-')).length;
    expect(kept).toBeGreaterThan(5_000);
    expect(summary).toContain(`*… ${10_000 - kept} more resources left out to fit the size limit.*`);
    expect(summary).toContain('| ➕ Create | 10000 |');
  });

  it('honours a smaller byte budget', () => {
    const report = reportFrom(streamOf(generatedResources(1_000, () => 'update')));
    expect(bytes(renderJobSummary(report, { maxBytes: 20_000 }))).toBeLessThanOrEqual(20_000);
  });
});

describe('mentions and issue references in the job summary', () => {
  const WORD_JOINER = '\u2060';

  it('are broken outside code, as in the comment', () => {
    const report = reportFrom(loadEvents('up-failed.json'), { command: 'smoke', result: 'failed', lifecycle: [{ step: 'up', ok: false, detail: 'ask @org/team about #12' }] });
    const summary = renderJobSummary(report);
    expect(summary).toContain(`| ❌ | <code>up</code> | ask @${WORD_JOINER}org/team about #${WORD_JOINER}12 |`);
    expect(summary).not.toContain('@org/team');
  });

  it("are broken in cleanup's errors, with the stack name left as code", () => {
    const summary = renderCleanupSummary([{ name: 'pr-@x', why: 'expired', error: 'locked by @mallory, see GH-4' }], 1);
    expect(summary).toContain(`| ❌ | <code>pr-@x</code> | expired | locked by @${WORD_JOINER}mallory, see GH-${WORD_JOINER}4 |`);
  });
});

describe('links in the job summary', () => {
  it('are broken in a step detail and an output value, as in the comment', () => {
    const detail = 'see https://github.com/octo-org/infra/issues/1 and www.example.com';
    const report = reportFrom(loadEvents('up-failed.json'), {
      command: 'smoke',
      result: 'failed',
      lifecycle: [{ step: 'up', ok: false, detail }],
      outputs: { url: { value: 'https://example.com/o/r/pull/2', secret: false } },
    });
    expect(linksIn(renderJobSummary(report))).toEqual([]);
  });

  it("are broken in cleanup's errors", () => {
    const summary = renderCleanupSummary([{ name: 'pr-1', why: 'expired', error: 'locked, see https://ghe.example.com/o/r/issues/9' }], 1);
    expect(linksIn(summary)).toEqual([]);
    expect(summary).toContain('see https\u2060://ghe.example.com/o/r/issues/9 |');
  });
});
