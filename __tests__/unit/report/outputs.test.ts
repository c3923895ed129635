import { describe, expect, it } from '@jest/globals';
import { loadEvents, reportFrom } from '../../support/events.js';
import { clipUtf8, prCommandOutputs, stepOutputs } from '../../../src/report/outputs.js';

const outputsOf = (...args: Parameters<typeof reportFrom>) => Object.fromEntries(stepOutputs(reportFrom(...args)).map((o) => [o.name, o.value]));

describe('stepOutputs', () => {
  it('lists what an update replaced and deleted, apart', () => {
    const outputs = outputsOf(loadEvents('up-update-replace-delete.json'), { command: 'up' });
    expect(JSON.parse(outputs['replaced-urns']!)).toEqual(['urn:pulumi:dev::events::pulumi-nodejs:dynamic/files:JsonFile::site']);
    expect(JSON.parse(outputs['deleted-urns']!)).toEqual(['urn:pulumi:dev::events::pulumi-nodejs:dynamic/files:File::logs']);
    expect(outputs['has-deletes']).toBe('true');
    expect(outputs.error).toBeUndefined();
    expect(outputs['log-tail']).toBeUndefined();
  });

  it('counts policy violations by enforcement level', () => {
    const outputs = outputsOf(loadEvents('preview-policy-violations.json'));
    expect(JSON.parse(outputs['policy-violations']!)).toEqual({ mandatory: 1, advisory: 5 });
    expect(JSON.parse(outputsOf(loadEvents('preview-creates.json'))['policy-violations']!)).toEqual({ mandatory: 0, advisory: 0 });
  });

  it('gives a failed update’s error and the end of its log to later steps', () => {
    const outputs = outputsOf(loadEvents('up-failed.json'), { command: 'up', result: 'failed', error: 'disk quota exceeded writing broken.txt', logTail: ['Updating (dev):', 'error: update failed'] });
    expect(outputs.error).toBe('disk quota exceeded writing broken.txt');
    expect(outputs['log-tail']).toBe('Updating (dev):\nerror: update failed');
  });

  it('keeps an endless error to its first 16 KiB and the log tail to its last 64 KiB', () => {
    const error = `${'E'.repeat(40 * 1024)}END`;
    const logTail = ['START', ...Array.from({ length: 40 }, (_, i) => `${i} ${'x'.repeat(10_000)}`)];
    const outputs = outputsOf(loadEvents('up-failed.json'), { command: 'up', result: 'failed', error, logTail });
    expect(Buffer.byteLength(outputs.error!)).toBeLessThan(16 * 1024 + 40);
    expect(outputs.error).toMatch(/^E+\n… \(24579 more bytes cut\)$/);
    expect(Buffer.byteLength(outputs['log-tail']!)).toBeLessThan(64 * 1024 + 40);
    expect(outputs['log-tail']).toMatch(/^\(… \d+ bytes cut\)\n/);
    expect(outputs['log-tail']!.endsWith(logTail.at(-1)!)).toBe(true);
  });

  it('has no replaced or deleted URNs for creates', () => {
    const outputs = outputsOf(loadEvents('up-creates.json'), { command: 'up' });
    expect([outputs['replaced-urns'], outputs['deleted-urns'], outputs['has-changes']]).toEqual(['[]', '[]', 'true']);
  });
});

describe('clipUtf8', () => {
  it('never splits a character', () => {
    const text = 'ééé€€€';
    expect(clipUtf8(text, 5, 'start')).toBe('éé\n… (11 more bytes cut)');
    expect(clipUtf8(text, 5, 'end')).toBe('(… 12 bytes cut)\n€');
    expect(clipUtf8(text, 100, 'start')).toBe(text);
  });
});

describe('prCommandOutputs', () => {
  it('sets empty outputs when no command ran', () => {
    expect(prCommandOutputs()).toEqual({ 'pr-command': '', 'pr-head-sha': '' });
    expect(prCommandOutputs({ command: 'up', headSha: 'abc' })).toEqual({ 'pr-command': 'up', 'pr-head-sha': 'abc' });
  });
});
