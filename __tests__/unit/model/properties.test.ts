import { describe, expect, it } from '@jest/globals';
import { loadEvents } from '../../support/events.js';
import { changeSummaryFromEvents, type ResourceChange } from '../../../src/model/changes.js';
import { formatValue, SECRET } from '../../../src/model/properties.js';
import { UNKNOWN } from '../../../src/model/pulumi-formats.js';

function resource(file: string, name: string): ResourceChange {
  const found = changeSummaryFromEvents(loadEvents(file)).resources.find((r) => r.name === name);
  if (!found) throw new Error(`${file} has no resource ${name}`);
  return found;
}

describe('property changes, recorded streams', () => {
  it.each(['preview-update-replace-delete.json', 'up-update-replace-delete.json'])("takes nested paths and kinds from the engine's detailed diff, the cause marked, in %s", (file) => {
    expect(resource(file, 'site').properties).toEqual([
      { path: 'data.tags.owner', kind: 'add', new: 'ops', replaces: false },
      { path: 'data.tags.team', kind: 'update', old: 'web', new: 'platform', replaces: false },
      { path: 'folder', kind: 'update', old: 'out/site', new: 'out/www', replaces: true },
    ]);
  });

  it('compares the inputs when the provider says only that something changed', () => {
    // The engine gave neither `diffs` nor a detailed diff for this update.
    const notes = resource('preview-update-replace-delete.json', 'notes');
    expect(notes.properties).toEqual([
      { path: 'content', kind: 'update', old: 'first draft', new: 'second draft, longer than the first', replaces: false },
      { path: 'encoding', kind: 'delete', old: 'utf8', replaces: false },
      { path: 'mode', kind: 'add', new: '0644', replaces: false },
      // The replaced site's size: unknown until the update makes it.
      { path: 'sizeOf', kind: 'update', old: 76, new: UNKNOWN, replaces: false },
    ]);
    expect(notes.diffs).toEqual(['content', 'encoding', 'mode', 'sizeOf']);
  });

  it('has the value the update computed once it ran', () => {
    const sizeOf = resource('up-update-replace-delete.json', 'notes').properties?.find((p) => p.path === 'sizeOf');
    expect(sizeOf).toEqual({ path: 'sizeOf', kind: 'update', old: 76, new: 101, replaces: false });
  });

  it('keeps a secret as secret on both sides, and nothing of the ciphertext the events carry', () => {
    const token = resource('up-update-replace-delete.json', 'token');
    expect(token.properties).toEqual([{ path: 'content', kind: 'update', old: SECRET, new: SECRET, replaces: false }]);
    const events = JSON.stringify(loadEvents('up-update-replace-delete.json'));
    expect(events).toContain('"ciphertext":"[secret]"');
    expect(JSON.stringify(changeSummaryFromEvents(loadEvents('up-update-replace-delete.json')))).not.toContain('ciphertext');
  });

  it('finds the drift a refresh read from disk', () => {
    expect(resource('refresh-drift.json', 'notes').properties).toEqual([{ path: 'content', kind: 'update', old: 'second draft, longer than the first', new: 'edited by hand', replaces: false }]);
  });

  it('lists none for unchanged resources, creates and deletions', () => {
    for (const file of ['preview-no-changes.json', 'preview-creates.json', 'up-creates.json']) {
      for (const r of changeSummaryFromEvents(loadEvents(file)).resources) expect(r.properties).toBeUndefined();
    }
    expect(resource('up-update-replace-delete.json', 'logs').properties).toBeUndefined();
    // The vault gained a comment its provider ignores: the engine's `same` rules, not the inputs.
    const vault = resource('up-update-replace-delete.json', 'vault');
    expect(vault).toMatchObject({ op: 'same', diffs: [] });
    expect(vault.properties).toBeUndefined();
  });
});

describe('formatValue', () => {
  it('quotes strings on one line and writes other values as compact JSON', () => {
    expect(formatValue('two\nlines "quoted"')).toBe('"two\\nlines \\"quoted\\""');
    expect(formatValue(76)).toBe('76');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ tags: { env: 'dev' }, ports: [80, 443] })).toBe('{"tags":{"env":"dev"},"ports":[80,443]}');
  });

  it('shows secrets and values not known yet for what they are, at any depth', () => {
    expect(formatValue(SECRET)).toBe('[secret]');
    expect(formatValue({ user: 'app', password: SECRET, id: UNKNOWN })).toBe('{"user":"app","password":[secret],"id":[unknown]}');
    expect(formatValue(undefined)).toBe('[unknown]');
  });
});
