import { describe, expect, it } from '@jest/globals';
import { eventFixtureFiles, generatedResources, loadEvents, reportFrom, streamOf, type GeneratedResource } from '../../support/events.js';
import { COMMENT_MAX_LENGTH, renderComment } from '../../../src/report/comment.js';
import type { Report } from '../../../src/model/changes.js';
import { commentMarker } from '../../../src/workspace/github-comment.js';
import { Redactor, redactReport } from '../../../src/operation/redact.js';
import { linksIn } from '../../support/gfm.js';
import { stepOutputs } from '../../../src/report/outputs.js';
import { renderJobSummary } from '../../../src/report/summary.js';

const RUN_URL = 'https://github.com/acme/website/actions/runs/42';

/** The text of the collapsible block whose summary starts with `title`, up to its closing tag. */
function detailsSection(text: string, title: string): string {
  const start = text.indexOf(`<summary>${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  return text.slice(start, text.indexOf('\n</details>', start));
}

const linesStartingWith = (text: string, prefix: string): string[] => text.split('\n').filter((line) => line.startsWith(prefix));

/** Pipes GFM treats as cell delimiters: those not escaped with a backslash. */
const cellDelimiters = (row: string): number => row.match(/(?<!\\)\|/g)?.length ?? 0;

const FILE = '<code>pulumi-nodejs:dynamic/files:File</code>';
const JSON_FILE = '<code>pulumi-nodejs:dynamic/files:JsonFile</code>';

describe('renderComment, recorded streams', () => {
  it('starts with the marker, then names the command, stack and result', () => {
    const text = renderComment(reportFrom(loadEvents('preview-creates.json')));
    const [first, , heading, , facts] = text.split('\n');
    expect(first).toBe(commentMarker('website', 'dev', 'preview'));
    expect(heading).toBe('## ✅ <code>pulumi preview</code> succeeded on <code>acme/website/dev</code>');
    // The recorder fixes every duration at 1 s, so recordings compare equal.
    expect(facts).toBe('Project <code>website</code> · Stack <code>dev</code> · Duration 1s');
  });

  it('says right under the heading which pull request holds the stack, where the command looks at its lock', () => {
    const lock = { stack: 'dev', self: 7, holder: { pullNumber: 3, since: '2026-12-06T09:42:00.000Z' }, released: [] };
    const lines = renderComment(reportFrom(loadEvents('preview-creates.json'), { lock })).split('\n');
    expect(lines.slice(4, 7)).toEqual([
      'Project <code>website</code> · Stack <code>dev</code> · Duration 1s',
      '',
      '🔒 Stack <code>dev</code> is locked by #3 since 2026-12-06 09:42 UTC: only #3 can apply it until it merges or closes, or <code>/pulumi unlock dev</code> commented there releases it.',
    ]);
    expect(renderComment(reportFrom(loadEvents('preview-creates.json')))).not.toContain('pull request holds');
    expect(renderComment(reportFrom(loadEvents('preview-creates.json')))).not.toContain('is locked by');
  });

  it('counts only the operations that happened, unchanged last', () => {
    const text = renderComment(reportFrom(loadEvents('up-update-replace-delete.json'), { command: 'up' }));
    expect(text).toContain('| Operation | Count |\n| --- | --- |\n| 🔄 Update | 2 |\n| 🔁 Replace | 1 |\n| 🗑️ Delete | 1 |\n| ⚪ Unchanged | 2 |\n\n');
    expect(text).not.toContain('➕ Create |');
  });

  it('warns about deletions and replacements and lists them, with the cause, before any collapsed block', () => {
    const text = renderComment(reportFrom(loadEvents('up-update-replace-delete.json'), { command: 'up' }));
    const warning = text.indexOf('> [!WARNING]\n> **Destructive changes:** 1 deletion and 1 replacement.\n\n');
    expect(warning).toBeGreaterThan(0);
    expect(text.indexOf('<details')).toBeGreaterThan(warning);
    const list = text.slice(warning, text.indexOf('<details'));
    expect(linesStartingWith(list, '- ')).toEqual([
      `- 🔁 Replace <code>site</code> · ${JSON_FILE} · replaced because <code>folder</code> changed · changed: <code>data.tags.owner</code>, <code>data.tags.team</code>`,
      `- 🗑️ Delete <code>logs</code> · ${FILE}`,
    ]);
  });

  it('lists changed resources grouped by operation inside a collapsed block', () => {
    const text = renderComment(reportFrom(loadEvents('up-update-replace-delete.json'), { command: 'up' }));
    const section = detailsSection(text, 'Resource changes (4)');
    expect(section.indexOf('#### 🔄 Update (2)')).toBeLessThan(section.indexOf('#### 🔁 Replace (1)'));
    expect(section.indexOf('#### 🔁 Replace (1)')).toBeLessThan(section.indexOf('#### 🗑️ Delete (1)'));
    expect(section).toContain(`#### 🗑️ Delete (1)\n\n- <code>logs</code> · ${FILE}`);
    expect(section).not.toContain('<code>vault</code>');
    expect(text).toMatch(/^<details><summary>Resource changes \(4\)<\/summary>$/m);
  });

  it('does not list unchanged resources, and has no warning without deletions', () => {
    const text = renderComment(reportFrom(loadEvents('up-failed.json'), { command: 'up', result: 'failed' }));
    expect(text).not.toContain('<code>notes</code>');
    expect(text).not.toContain('[!WARNING]');
    expect(detailsSection(text, 'Resource changes (1)')).toContain(`#### ➕ Create (1)\n\n- <code>broken</code> · ${FILE} · ❌ failed`);
  });

  it('shows a protected resource as such, and the deletion the engine refused as failed', () => {
    const text = renderComment(reportFrom(loadEvents('preview-protected-delete.json'), { result: 'failed' }));
    expect(text).toContain(`> **Destructive changes:** 1 deletion.\n\n- 🗑️ Delete <code>vault</code> · ${FILE} · 🔒 protected · ❌ failed`);
    expect(text).toContain(
      '❌ **error** · <code>vault</code>\n\n```\nPreview failed: resource "urn:pulumi:dev::events::pulumi-nodejs:dynamic/files:File::vault" cannot be deleted\nbecause it is protected.',
    );
  });

  it('folds away warnings, but opens errors', () => {
    const warnings = renderComment(reportFrom(loadEvents('preview-creates.json')));
    expect(warnings).toContain('<details><summary>Diagnostics: 1 warning</summary>');
    expect(detailsSection(warnings, 'Diagnostics')).toContain("⚠️ **warning** · <code>notes</code>\n\n```\nnotes: 'encoding' is deprecated: files are always written as UTF-8.\n```");
    expect(warnings).not.toContain('checking the encoding');
    expect(warnings).not.toContain('declared 5 files');
    const errors = renderComment(reportFrom(loadEvents('up-failed.json'), { command: 'up', result: 'failed' }));
    expect(errors).toContain('<details open><summary>Diagnostics: 1 error</summary>');
    expect(errors).toContain('❌ **error** · <code>broken</code>\n\n```\ndisk quota exceeded writing broken.txt\n```');
    expect(errors).not.toContain('update failed');
  });

  it('shows the error, the failed resource and the log tail of a failed update, and links the run', () => {
    const text = renderComment(
      reportFrom(loadEvents('up-failed.json'), {
        command: 'up',
        result: 'failed',
        error: 'error: update failed: 1 resource failed',
        logTail: ['Updating (dev)', '    + pulumi-nodejs:dynamic/files:File broken creating (0s)', 'error: update failed'],
        runUrl: RUN_URL,
      }),
    );
    expect(text).toContain('## ❌ <code>pulumi up</code> failed on <code>acme/website/dev</code>');
    expect(text).toContain('### Error\n\n```\nerror: update failed: 1 resource failed\n```');
    expect(text).toContain(`- <code>broken</code> · ${FILE} · ❌ failed`);
    expect(detailsSection(text, 'Log tail (3 lines)')).toContain('```\nUpdating (dev)\n    + pulumi-nodejs:dynamic/files:File broken creating (0s)\nerror: update failed\n```');
    expect(text.endsWith(`[View the workflow run](${RUN_URL})`)).toBe(true);
  });

  it('leaves the log tail out unless the operation failed', () => {
    const text = renderComment(reportFrom(loadEvents('preview-creates.json'), { logTail: ['noise'] }));
    expect(text).not.toContain('Log tail');
  });

  it('tables policy violations, mandatory first, a stack-wide one under the stack', () => {
    const text = renderComment(reportFrom(loadEvents('preview-policy-violations.json'), { result: 'failed' }));
    const rows = linesStartingWith(text.slice(text.indexOf('### Policy violations')), '| ').slice(2, 8);
    expect(rows[0]).toBe(
      '| 🚫 mandatory | <code>file-rules</code> / <code>no-world-writable</code> | <code>shared</code> | Files may not be world-writable.<br>shared has mode 0666: anyone can write it; use 0644. |',
    );
    expect(rows.slice(1).every((row) => row.startsWith('| ⚠️ advisory | '))).toBe(true);
    expect(rows[5]).toBe('| ⚠️ advisory | <code>file-rules</code> / <code>at-most-five-files</code> | <code>events-dev</code> | A stack should hold at most five files.<br>The stack holds 6 files. |');
    for (const row of rows) expect(cellDelimiters(row)).toBe(5);
  });

  it('says so when nothing changes', () => {
    const text = renderComment(reportFrom(loadEvents('preview-no-changes.json')));
    expect(text).toContain('## ⚪ <code>pulumi preview</code> found no changes on <code>acme/website/dev</code>');
    expect(text).toContain('| Operation | Count |\n| --- | --- |\n| ⚪ Unchanged | 6 |');
    // The program's warning still comes with every run; no resource is listed.
    expect(text).not.toContain('Resource changes');
    expect(text).toContain('Diagnostics: 1 warning');
  });

  it('tables outputs and never shows a secret value', () => {
    const text = renderComment(
      reportFrom(loadEvents('preview-creates.json'), {
        outputs: { url: { value: 'https://example.org', secret: false }, tags: { value: { env: 'dev' }, secret: false }, dbPassword: { value: 'hunter2', secret: true } },
      }),
    );
    expect(text).toContain('### Outputs\n\n| Output | Value |\n| --- | --- |\n| <code>url</code> | <code>https&#58;//example.org</code> |');
    expect(text).toContain('| <code>tags</code> | <code>{"env":"dev"}</code> |');
    expect(text).toContain('| <code>dbPassword</code> | `[secret]` |');
    expect(text).not.toContain('hunter2');
  });

  it('shows a caution when the engine says the state may be corrupt', () => {
    const report = reportFrom(loadEvents('up-failed.json'), { result: 'failed' });
    const text = renderComment({ ...report, changes: { ...report.changes, maybeCorrupt: true } });
    expect(text).toContain('> [!CAUTION]\n> The engine reports that some resources may be in an invalid state.');
  });

  it('renders no resources and a single resource', () => {
    expect(renderComment(reportFrom([]))).toContain('*No resources.*');
    const one = renderComment(reportFrom(streamOf([{ name: 'only', op: 'create' }])));
    expect(detailsSection(one, 'Resource changes (1)')).toContain('- <code>only</code> · <code>random:index/randomPet:RandomPet</code>');
  });

  it('links only http(s) run URLs, with parentheses encoded', () => {
    expect(renderComment(reportFrom([], { runUrl: 'javascript:alert(1)' }))).not.toContain('View the workflow run');
    expect(renderComment(reportFrom([], { runUrl: 'https://x.example/a(b)' }))).toContain('(https://x.example/a%28b%29)');
  });
});

describe.each(eventFixtureFiles())('renderComment on %s', (file) => {
  it('is well formed: marker first, balanced collapsed blocks, within the limit', () => {
    const report = reportFrom(loadEvents(file), { command: 'up', result: 'failed', logTail: ['last line'] });
    const text = renderComment(report);
    expect(text.split('\n')[0]).toBe(commentMarker('website', 'dev', 'up'));
    expect(linesStartingWith(text, '<details').length).toBe(linesStartingWith(text, '</details>').length);
    expect(text.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    const listed = report.changes.resources.filter((r) => r.op !== 'same' || r.failed).length;
    if (listed > 0) expect(linesStartingWith(detailsSection(text, `Resource changes (${listed})`), '- ')).toHaveLength(listed);
  });
});

/** Each hostile string and how it must appear inside a `<code>` element. */
const HOSTILE: readonly (readonly [string, string])[] = [
  ['a|b', 'a\\|b'],
  ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
  ['`tick`', '\\`tick\\`'],
  ['*x*', '\\*x\\*'],
  ['</details>', '&lt;/details&gt;'],
  ['line1\nline2', 'line1<br>line2'],
  ['[click](https://evil.example)', '\\[click\\](https&#58;//evil.example)'],
  ['_u_', '\\_u\\_'],
  ['~~s~~', '\\~\\~s\\~\\~'],
  ['$x$', '\\$x\\$'],
  ['&amp;', '&amp;amp;'],
  ['\\|', '\\\\\\|'],
  ['<!-- -->', '&lt;!-- --&gt;'],
];

describe('renderComment, hostile text', () => {
  const hostileReport = (): Report => {
    const resources: GeneratedResource[] = HOSTILE.map(([name]) => ({ name, op: 'create', type: `custom:${name}:T`, diffs: [name] }));
    resources.push({ name: '</details><details>', op: 'delete' });
    return reportFrom(streamOf(resources), {
      outputs: Object.fromEntries(HOSTILE.map(([name]) => [name, { value: name, secret: false }])),
      result: 'failed',
      error: 'boom ``` </details>',
      logTail: ['```` fenced </details>', 'last'],
    });
  };

  it('escapes every hostile name, type, property and output', () => {
    const text = renderComment(hostileReport());
    for (const [raw, escaped] of HOSTILE) {
      expect(text).toContain(`- <code>${escaped}</code> · <code>custom:${escaped}:T</code> · changed: <code>${escaped}</code>`);
      expect(text).toContain(`| <code>${escaped}</code> | <code>${escaped}</code> |`);
      if (raw !== escaped) expect(text).not.toContain(`<code>${raw}</code>`);
    }
    expect(text).not.toContain('<script>');
  });

  it('keeps every table row to its columns', () => {
    const text = renderComment(hostileReport());
    const rows = linesStartingWith(text.slice(text.indexOf('### Outputs')), '| ');
    expect(rows).toHaveLength(HOSTILE.length + 2);
    for (const row of rows) expect(cellDelimiters(row)).toBe(3);
  });

  it('cannot close a collapsed block from a name', () => {
    const text = renderComment(hostileReport());
    // Only our own tags start a line; the hostile ones are escaped or inside code fences.
    expect(linesStartingWith(text, '<details')).toHaveLength(2);
    expect(linesStartingWith(text, '</details>')).toEqual(['</details>', '</details>']);
    // Every resource of the block is still inside it.
    expect(linesStartingWith(detailsSection(text, 'Resource changes'), '- ')).toHaveLength(HOSTILE.length + 1);
    expect(text).toContain('- 🗑️ Delete <code>&lt;/details&gt;&lt;details&gt;</code>');
  });

  it('fences code with more backticks than it contains', () => {
    const text = renderComment(hostileReport());
    expect(text).toContain('### Error\n\n````\nboom ``` </details>\n````');
    expect(text).toContain('`````\n```` fenced </details>\nlast\n`````');
  });
});

/** Mentions and issue references GitHub would make live: what is left outside code must have none. */
const LIVE_REFERENCE = /(?<![\w\u2060])@[A-Za-z0-9]|#\d|\bGH-\d/i;
const WORD_JOINER = '\u2060';

/** The text GitHub looks for mentions in: everything but `<code>` elements and fenced blocks. */
function outsideCode(text: string): string {
  return text.replace(/<code>.*?<\/code>/g, '').replace(/^(`{3,})\n[\s\S]*?\n\1$/gm, '');
}

describe('renderComment, mentions and issue references', () => {
  const PING = '@org/team see #12, GH-7 and acme/infra#3; cc @alice';
  const report = (): Report => {
    const base = reportFrom(streamOf([{ name: '@dave', op: 'create' }]), {
      command: 'smoke',
      result: 'failed',
      error: `error: ${PING}`,
      lifecycle: [{ step: 'up', ok: false, detail: `error: ${PING}` }],
      pendingOperations: [`creating urn:pulumi:dev::p::t::${PING}`],
      logTail: [PING],
    });
    const violation = { policyPack: '@pack', policy: '#1', enforcement: 'mandatory', message: PING, urn: 'urn:pulumi:dev::p::t::@bucket' };
    return { ...base, changes: { ...base.changes, policyViolations: [violation] } };
  };

  it('breaks every mention and reference outside code with a word joiner, so nobody is pinged', () => {
    const text = renderComment(report());
    expect(outsideCode(text)).not.toMatch(LIVE_REFERENCE);
    const neutral = `@${WORD_JOINER}org/team see #${WORD_JOINER}12, GH-${WORD_JOINER}7 and acme/infra#${WORD_JOINER}3; cc @${WORD_JOINER}alice`;
    // The policy message, the smoke step's detail and the pending operation.
    expect(text).toContain(`| ${neutral} |`);
    expect(text).toContain(`| ❌ | <code>up</code> | error: ${neutral} |`);
    expect(text).toContain(`> - creating urn:pulumi:dev::p::t::${neutral}`);
  });

  it('leaves code as it is: GitHub mentions nobody inside it, and it may be copied', () => {
    const text = renderComment(report());
    expect(text).toContain('<code>@dave</code>');
    expect(text).toContain('<code>@pack</code> / <code>#1</code>');
    expect(text).toContain(`### Error\n\n\`\`\`\nerror: ${PING}\n\`\`\``);
    expect(text).not.toContain(`<code>@${WORD_JOINER}`);
  });

  it('leaves an @ or # alone that cannot start a mention or reference', () => {
    const text = renderComment(reportFrom([], { lifecycle: [{ step: 'up', ok: true, detail: 'see docs#setup, at @ 9am, C# and issue #' }] }));
    expect(text).toContain('| see docs#setup, at @ 9am, C# and issue # |');
  });
});

describe('renderComment, links', () => {
  const LINKS = 'see https://github.com/octo-org/infra/issues/1, https://ghe.example.com/o/r/pull/2 and www.example.com';
  const report = (): Report => {
    const base = reportFrom(streamOf([{ name: 'https://github.com/o/r/issues/3', op: 'create' }]), {
      command: 'smoke',
      result: 'failed',
      runUrl: RUN_URL,
      error: `error: ${LINKS}`,
      lifecycle: [{ step: 'up', ok: false, detail: `error: ${LINKS}` }],
      pendingOperations: [`creating urn:pulumi:dev::p::t::${LINKS}`],
      logTail: [LINKS],
      outputs: { url: { value: 'https://github.com/o/r/pull/4', secret: false } },
    });
    const violation = { policyPack: 'pack', policy: 'p', enforcement: 'mandatory', message: LINKS, urn: 'urn:pulumi:dev::p::t::www.example.com' };
    return { ...base, changes: { ...base.changes, policyViolations: [violation] } };
  };

  it('links nothing from the engine, the program or a policy, in code or out of it; only the run', () => {
    expect(linksIn(renderComment(report()))).toEqual([RUN_URL]);
  });

  it('reads the same: a word joiner outside code, an entity inside it', () => {
    const text = renderComment(report());
    const neutral = `see https${WORD_JOINER}://github.com/octo-org/infra/issues/1, https${WORD_JOINER}://ghe.example.com/o/r/pull/2 and www${WORD_JOINER}.example.com`;
    expect(text).toContain(`| ${neutral} |`);
    expect(text).toContain(`| ❌ | <code>up</code> | error: ${neutral} |`);
    expect(text).toContain(`> - creating urn:pulumi:dev::p::t::${neutral}`);
    expect(text).toContain('- <code>https&#58;//github.com/o/r/issues/3</code>');
    expect(text).toContain('| <code>url</code> | <code>https&#58;//github.com/o/r/pull/4</code> |');
    expect(text).toContain(`### Error\n\n\`\`\`\nerror: ${LINKS}\n\`\`\``);
  });
});

describe('renderComment, secrets', () => {
  const report = reportFrom(streamOf([{ name: 'db-p|ss', op: 'update', diffs: ['password'] }]), {
    outputs: { password: { value: 'p|ss', secret: true }, dsn: { value: 'postgres://app:p|ss@db/app', secret: false } },
    result: 'failed',
    error: 'login failed for p|ss',
  });

  const redactor = new Redactor().add(['p|ss']);

  it('masks secrets everywhere before escaping', () => {
    const text = renderComment(redactor.report(report));
    expect(text).not.toMatch(/p\\?\|ss/);
    expect(text).toContain('<code>postgres://app:\\*\\*\\*@db/app</code>');
    expect(text).toContain('- <code>db-\\*\\*\\*</code>');
    expect(text).toContain('login failed for ***');
    expect(text).toContain('| <code>password</code> | `[secret]` |');
  });

  it('would leak an escaped secret if masked only after rendering', () => {
    expect(redactor.text(renderComment(report))).toContain('p\\|ss');
  });
});

describe('renderComment, size limit', () => {
  /** 10,000 resources: one in a hundred deleted, one in a hundred replaced, the rest created or updated. */
  const bigOps = (i: number): GeneratedResource['op'] => (['delete', 'replace'][i % 100] as GeneratedResource['op'] | undefined) ?? (i % 2 ? 'update' : 'create');

  it(`stays within ${COMMENT_MAX_LENGTH} characters with 10,000 resources, keeping counts and deletions`, () => {
    const report = reportFrom(streamOf(generatedResources(10_000, bigOps)), { runUrl: RUN_URL });
    const text = renderComment(report);
    expect(text.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(text).toContain('| ➕ Create | 4900 |\n| 🔄 Update | 4900 |\n| 🔁 Replace | 100 |\n| 🗑️ Delete | 100 |\n| ⚪ Unchanged | 2 |');
    expect(text).toContain('**Destructive changes:** 100 deletions and 100 replacements.');
    expect(linesStartingWith(text, '- 🗑️ Delete <code>pet-')).toHaveLength(100);
    expect(linesStartingWith(text, '- 🔁 Replace <code>pet-')).toHaveLength(100);
    const kept = linesStartingWith(detailsSection(text, 'Resource changes (10000)'), '- ').length;
    expect(kept).toBeGreaterThan(100);
    expect(text).toContain(`\n*… ${10_000 - kept} more resources left out to fit the size limit.*\n\n</details>`);
    expect(text.endsWith(`[View the workflow run](${RUN_URL})`)).toBe(true);
    // The budget is used, not wasted: one more resource line would not have fit.
    expect(text.length).toBeGreaterThan(COMMENT_MAX_LENGTH - 200);
  });

  it('shortens the deletion list last, with a count, when even it does not fit', () => {
    const report = reportFrom(streamOf(generatedResources(10_000, () => 'delete')), { command: 'destroy' });
    const text = renderComment(report);
    expect(text.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(text).toContain('| 🗑️ Delete | 10000 |');
    const kept = linesStartingWith(text, '- 🗑️ Delete <code>pet-').length;
    expect(kept).toBeGreaterThan(100);
    expect(text).toContain(`*… ${10_000 - kept} more deletions and replacements left out to fit the size limit.*`);
    expect(detailsSection(text, 'Resource changes (10000)')).toContain('*… 10000 more resources left out to fit the size limit.*');
  });

  it('shortens the resource list, then outputs, diagnostics and the log tail, at any limit', () => {
    const base = reportFrom(streamOf([...generatedResources(60, (i) => (i < 3 ? 'delete' : 'update'))]), {
      command: 'up',
      result: 'failed',
      outputs: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`out-${i}`, { value: `value ${i}`, secret: false }])),
      logTail: Array.from({ length: 40 }, (_, i) => `log line ${i + 1}`),
    });
    const diagnostics = Array.from({ length: 10 }, (_, i) => ({ severity: 'warning' as const, message: `deprecated thing ${i}` }));
    const report: Report = { ...base, changes: { ...base.changes, diagnostics } };
    const full = renderComment(report);
    for (let limit = full.length; limit > 1_500; limit -= 37) {
      const text = renderComment(report, { maxLength: limit });
      expect(text.length).toBeLessThanOrEqual(limit);
      const resources = linesStartingWith(detailsSection(text, 'Resource changes'), '- ').length;
      const outputs = linesStartingWith(text, '| <code>out-').length;
      const warnings = text.match(/⚠️ \*\*warning\*\*/g)?.length ?? 0;
      const log = linesStartingWith(text, 'log line ');
      const deletions = linesStartingWith(text, '- 🗑️ Delete').length;
      if (outputs < 30) expect(resources).toBe(0);
      if (warnings < 10) expect(outputs).toBe(0);
      if (log.length < 40) expect(warnings).toBe(0);
      if (deletions < 3) expect(log).toHaveLength(0);
      if (log.length > 0) expect(log[log.length - 1]).toBe('log line 40');
      if (resources < 60) expect(text).toContain(`${60 - resources} more resource${60 - resources === 1 ? '' : 's'} left out`);
      if (log.length < 40) expect(text).toContain(`${40 - log.length} earlier line${40 - log.length === 1 ? '' : 's'} left out`);
      expect(text).toContain('## ❌ <code>pulumi up</code> failed');
      expect(text).toContain('| 🔄 Update | 57 |\n| 🗑️ Delete | 3 |');
    }
  });

  it('cuts hard, but within the limit, when even the fixed parts do not fit', () => {
    const text = renderComment(reportFrom(loadEvents('up-failed.json'), { result: 'failed', error: 'x'.repeat(5_000) }), { maxLength: 1_000 });
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text.startsWith(commentMarker('website', 'dev', 'preview'))).toBe(true);
    expect(text.endsWith('*… cut to fit the size limit.*')).toBe(true);
  });
});

describe('renderComment, property changes', () => {
  const changes = (text: string, group: string): string => {
    const section = detailsSection(text, 'Resource changes');
    const start = section.indexOf(`#### ${group}`);
    expect(start).toBeGreaterThanOrEqual(0);
    const end = section.indexOf('\n#### ', start + 1);
    return section.slice(start, end < 0 ? undefined : end);
  };

  it('shows each changed property of an update with its old and new value, added and removed ones', () => {
    const text = renderComment(reportFrom(loadEvents('preview-update-replace-delete.json')));
    expect(changes(text, '🔄 Update (2)')).toBe(
      [
        '#### 🔄 Update (2)',
        '',
        `- <code>notes</code> · ${FILE}`,
        '  - <code>content</code>: <code>"first draft"</code> → <code>"second draft, longer than the first"</code>',
        '  - <code>encoding</code>: removed, was <code>"utf8"</code>',
        '  - <code>mode</code>: added, <code>"0644"</code>',
        '  - <code>sizeOf</code>: <code>76</code> → <code>\\[unknown\\]</code>',
        `- <code>token</code> · ${FILE}`,
        '  - <code>content</code>: `[secret]` → `[secret]`',
        '',
      ].join('\n'),
    );
  });

  it('marks the properties that force a replacement, first, with nested paths from the detailed diff', () => {
    const text = renderComment(reportFrom(loadEvents('up-update-replace-delete.json'), { command: 'up' }));
    expect(changes(text, '🔁 Replace (1)')).toContain(
      [
        `- <code>site</code> · ${JSON_FILE} · replaced because <code>folder</code> changed`,
        '  - <code>folder</code>: <code>"out/site"</code> → <code>"out/www"</code> · 🔁 forces replacement',
        '  - <code>data.tags.owner</code>: added, <code>"ops"</code>',
        '  - <code>data.tags.team</code>: <code>"web"</code> → <code>"platform"</code>',
      ].join('\n'),
    );
  });

  it('shows drift a refresh found as old and new values', () => {
    const text = renderComment(reportFrom(loadEvents('refresh-drift.json'), { command: 'drift', result: 'drifted' }));
    expect(text).toContain('  - <code>content</code>: <code>"second draft, longer than the first"</code> → <code>"edited by hand"</code>');
  });

  it('shows a value equal to a configured secret as [secret], and masks one inside a value', () => {
    const report = reportFrom(loadEvents('up-update-replace-delete.json'), { command: 'up' });
    const text = renderComment(redactReport(report, ['first draft', 'platform']));
    expect(text).toContain('  - <code>content</code>: `[secret]` → <code>"second draft, longer than the first"</code>');
    expect(text).toContain('  - <code>data.tags.team</code>: <code>"web"</code> → `[secret]`');
    expect(text).not.toMatch(/first draft|platform/);
    const masked = renderComment(redactReport(report, ['draft']));
    expect(masked).toContain('<code>"first \\*\\*\\*"</code> → <code>"second \\*\\*\\*, longer than the first"</code>');
  });

  it('shortens long values and escapes hostile ones inside code', () => {
    const report = reportFrom(
      streamOf([
        {
          name: 'page',
          op: 'update',
          diffs: ['body', '</details>', 'tags'],
          inputs: {
            old: { body: 'x'.repeat(500), '</details>': '@org/team #12', tags: { a: 1 } },
            new: { body: 'y'.repeat(500), '</details>': '<script>`*_|', tags: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, i])) },
          },
        },
      ]),
    );
    const text = renderComment(report);
    const lines = linesStartingWith(detailsSection(text, 'Resource changes (1)'), '  - ');
    expect(lines[0]).toBe(`  - <code>body</code>: <code>"${'x'.repeat(99)}… (402 more characters)</code> → <code>"${'y'.repeat(99)}… (402 more characters)</code>`);
    expect(lines[1]).toBe('  - <code>&lt;/details&gt;</code>: <code>"@org/team #12"</code> → <code>"&lt;script&gt;\\`\\*\\_\\|"</code>');
    expect(lines[2]).toMatch(/^ {2}- <code>tags<\/code>: <code>\{"a":1\}<\/code> → <code>\{"key0":0,.*… \(\d+ more characters\)<\/code>$/);
    expect(linesStartingWith(text, '</details>')).toHaveLength(1);
    expect(text).not.toContain('<script>');
  });

  it('shows at most 20 properties of a resource, and says how many more', () => {
    const keys = Array.from({ length: 25 }, (_, i) => `p${i}`);
    const inputs = { old: Object.fromEntries(keys.map((k) => [k, 1])), new: Object.fromEntries(keys.map((k) => [k, 2])) };
    const text = renderComment(reportFrom(streamOf([{ name: 'wide', op: 'update', diffs: keys, inputs }])));
    const lines = linesStartingWith(detailsSection(text, 'Resource changes (1)'), '  - ');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('  - … and 5 more properties');
  });
});

describe('renderComment, property changes within the size limit', () => {
  /** Updates, replacements and deletions of resources whose every change carries a long old and new value. */
  const bigReport = (count: number): Report => {
    const ops: GeneratedResource['op'][] = ['update', 'replace', 'delete'];
    const resources = Array.from({ length: count }, (_, i): GeneratedResource => {
      const op = ops[i % 3]!;
      return {
        name: `res-${i}`,
        op,
        diffs: ['body'],
        inputs: { old: { body: `old ${i} ${'o'.repeat(80)}` }, new: { body: `new ${i} ${'n'.repeat(80)}` } },
      };
    });
    return reportFrom(streamOf(resources), { command: 'up' });
  };
  const detailed = (text: string, name: string): boolean => new RegExp(`^- <code>${name}</code>.*\\n {2}- <code>body</code>`, 'm').test(detailsSection(text, 'Resource changes'));

  it('keeps every value when they fit', () => {
    const text = renderComment(bigReport(30));
    for (let i = 0; i < 30; i++) if (i % 3 !== 2) expect(detailed(text, `res-${i}`)).toBe(true);
  });

  it('drops the values of updates before those of replacements, the last first, and keeps every resource listed', () => {
    const report = bigReport(30);
    const full = renderComment(report);
    let sawSome = false;
    for (let limit = full.length; limit > full.length - 10 * 250; limit -= 97) {
      const text = renderComment(report, { maxLength: limit });
      expect(text.length).toBeLessThanOrEqual(limit);
      expect(linesStartingWith(detailsSection(text, 'Resource changes (30)'), '- ')).toHaveLength(30);
      const updates = Array.from({ length: 10 }, (_, k) => detailed(text, `res-${3 * k}`));
      const replacements = Array.from({ length: 10 }, (_, k) => detailed(text, `res-${3 * k + 1}`));
      // A replacement loses its values only once every update has.
      if (replacements.includes(false)) expect(updates).not.toContain(true);
      // Within each kind the values go from the end of the list up.
      for (const kept of [updates, replacements]) expect(kept).toEqual([...kept].sort((a, b) => Number(b) - Number(a)));
      if (updates.includes(false) && updates.includes(true)) sawSome = true;
    }
    expect(sawSome).toBe(true);
  });

  it('lists the resources by name once no values fit, before it leaves any resource out', () => {
    const report = bigReport(30);
    const withoutValues = renderComment({ ...report, changes: { ...report.changes, resources: report.changes.resources.map(({ properties: _, ...r }) => r) } });
    const names = renderComment(report, { maxLength: withoutValues.length });
    expect(names).toBe(withoutValues);
    const section = detailsSection(names, 'Resource changes (30)');
    expect(linesStartingWith(section, '- ')).toHaveLength(30);
    expect(linesStartingWith(section, '  - ')).toHaveLength(0);
    expect(section).toContain('- <code>res-0</code> · <code>random:index/randomPet:RandomPet</code> · changed: <code>body</code>');
  });

  it(`stays within ${COMMENT_MAX_LENGTH} characters with 10,000 resources that all have values`, () => {
    const text = renderComment(bigReport(10_000));
    expect(text.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(text.length).toBeGreaterThan(COMMENT_MAX_LENGTH - 300);
  });
});

// The update's page (report/build.test.ts finds it): linked from the comment and the summary, and an output.
describe('the report', () => {
  const url = 'https://app.pulumi.com/acme/website/dev/updates/7';
  it("links the update from the stack's name in the comment's and the summary's heading, and outputs it", () => {
    const report = reportFrom([], { command: 'up', updateUrl: url, runUrl: 'https://github.com/acme/website/actions/runs/42' });
    const comment = renderComment(report);
    expect(comment).toContain(`on [<code>acme/website/dev</code>](${url})`);
    expect(linksIn(comment)).toEqual([url, 'https://github.com/acme/website/actions/runs/42']);
    expect(linksIn(renderJobSummary(report))).toEqual([url]);
    expect(stepOutputs(report)).toContainEqual({ name: 'update-url', value: url });
  });

  it('names the stack without a link, and sets no output, elsewhere', () => {
    const report = reportFrom([], { command: 'up' });
    expect(renderComment(report)).toContain('on <code>acme/website/dev</code>');
    expect(stepOutputs(report).map((o) => o.name)).not.toContain('update-url');
  });
});
