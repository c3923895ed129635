import { describe, expect, it } from '@jest/globals';
import { loadEvents, reportFrom } from '../../support/events.js';
import type { Report } from '../../../src/model/changes.js';
import { SECRET } from '../../../src/model/properties.js';
import { redact, redactReport, Redactor, secretParts } from '../../../src/operation/redact.js';

describe('redact', () => {
  it('masks every occurrence, longest secret first', () => {
    expect(redact('token=abcdef; short=abc; again abcdef', ['abc', 'abcdef'])).toBe('token=***; short=***; again ***');
  });

  it('ignores empty secrets and treats regex characters literally', () => {
    expect(redact('a.b a+b (x)', ['', 'a+b', '(x)'])).toBe('a.b *** ***');
    expect(redact('nothing', [])).toBe('nothing');
  });

  it('does not mask its own mask again', () => {
    expect(redact('p*ss', ['*', 'p'])).toBe('******ss');
  });
});

describe('multi-line secrets', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n  BKcwggSjAgEAAoIBAQC7\n}\n-----END PRIVATE KEY-----\n';

  it('are masked line by line too, but for lines that tell nothing', () => {
    expect(secretParts(pem)).toEqual([pem, '-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7', '-----END PRIVATE KEY-----']);
    expect(secretParts('one line')).toEqual(['one line']);
  });

  it('are registered with the runner line by line, and masked in each line the log shows', () => {
    const registered: string[] = [];
    const redactor = new Redactor((secret) => registered.push(secret)).add([pem]);
    expect(registered).toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    const printed = pem.split('\n').map((line) => redactor.text(`    ${line}`));
    expect(printed.join('\n')).not.toMatch(/MIIE|BKcw/);
    expect(printed).toContain('    }');
  });
});

describe('redactReport', () => {
  it('masks names, messages, outputs, the error and the log, but not the stack identity', () => {
    const report: Report = {
      command: 'up',
      project: 'web',
      stack: 'dev',
      stackRef: 'acme/web/dev',
      result: 'failed',
      changes: {
        resources: [{ urn: 'urn:pulumi:dev::web::t::db-hunter2', type: 't', name: 'db-hunter2', op: 'create', diffs: ['hunter2'], protected: false }],
        counts: { create: 1, update: 0, delete: 0, replace: 0, same: 0 },
        diagnostics: [{ severity: 'error', message: 'password hunter2 rejected' }],
        policyViolations: [{ policyPack: 'p', policy: 'q', enforcement: 'warning', message: 'saw hunter2' }],
        maybeCorrupt: false,
      },
      outputs: { conn: { value: { url: 'pg://u:hunter2@h', list: ['hunter2'] }, secret: false } },
      error: 'failed with hunter2',
      logTail: ['log hunter2'],
    };
    const masked = redactReport(report, ['hunter2']);
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(masked.outputs.conn?.value).toEqual({ url: 'pg://u:***@h', list: ['***'] });
    expect(masked.changes.resources[0]?.name).toBe('db-***');
    expect(masked.stackRef).toBe('acme/web/dev');
  });
});

describe('redactReport, property values', () => {
  const notesOf = (secrets: string[]) => {
    const report = redactReport(reportFrom(loadEvents('up-update-replace-delete.json')), secrets);
    return report.changes.resources.find((r) => r.name === 'notes')?.properties ?? [];
  };

  it('shows a value equal to a configured secret as secret, old or new', () => {
    const [content] = notesOf(['first draft', 'second draft, longer than the first']);
    expect(content).toEqual({ path: 'content', kind: 'update', old: SECRET, new: SECRET, replaces: false });
  });

  it('masks a configured secret inside a value, a number equal to one, and in property names', () => {
    const properties = notesOf(['draft', '101', 'mode']);
    expect(properties.find((p) => p.path === 'content')).toMatchObject({ old: 'first ***', new: 'second ***, longer than the first' });
    expect(properties.find((p) => p.path === 'sizeOf')).toMatchObject({ old: 76, new: SECRET });
    expect(properties.map((p) => p.path)).toContain('***');
    expect(JSON.stringify(properties)).not.toMatch(/draft|101|mode/);
  });
});
