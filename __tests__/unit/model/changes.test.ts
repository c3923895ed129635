import { describe, expect, it } from '@jest/globals';
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { eventFixtureFiles, generatedResources, loadEvents, streamOf } from '../../support/events.js';
import { changeSummaryFromEvents, hasChanges, resultOf, urnName } from '../../../src/model/changes.js';

const summaryOf = (file: string) => changeSummaryFromEvents(loadEvents(file));

const FILE = 'pulumi-nodejs:dynamic/files:File';
const JSON_FILE = 'pulumi-nodejs:dynamic/files:JsonFile';
const urnOf = (type: string, name: string): string => `urn:pulumi:dev::events::${type}::${name}`;

describe('changeSummaryFromEvents, recorded streams', () => {
  it('lists planned creates, the new stack among them, and leaves out the default provider', () => {
    const summary = summaryOf('preview-creates.json');
    expect(summary.resources.map((r) => [r.op, r.name, r.type])).toEqual([
      ['create', 'events-dev', 'pulumi:pulumi:Stack'],
      ['create', 'logs', FILE],
      ['create', 'site', JSON_FILE],
      ['create', 'notes', FILE],
      ['create', 'vault', FILE],
      ['create', 'token', FILE],
    ]);
    // The engine counts the stack, not the default provider.
    expect(summary.counts).toEqual({ create: 6, update: 0, delete: 0, replace: 0, same: 0 });
    expect(summary.maybeCorrupt).toBe(false);
  });

  it('takes the protect flag from the step state', () => {
    const protectedOnes = summaryOf('up-creates.json').resources.filter((r) => r.protected);
    expect(protectedOnes.map((r) => r.name)).toEqual(['vault']);
  });

  it('keeps the warning on a resource and skips the status line (ephemeral) and info messages', () => {
    expect(summaryOf('preview-creates.json').diagnostics).toEqual([{ severity: 'warning', message: "notes: 'encoding' is deprecated: files are always written as UTF-8.", urn: urnOf(FILE, 'notes') }]);
  });

  it.each(['preview-update-replace-delete.json', 'up-update-replace-delete.json'])('reports a replacement once, with its cause, in %s', (file) => {
    const summary = summaryOf(file);
    expect(summary.resources.map((r) => [r.op, r.name])).toEqual([
      ['replace', 'site'],
      ['update', 'notes'],
      ['same', 'vault'],
      ['update', 'token'],
      ['delete', 'logs'],
    ]);
    // The default provider's update is the engine's plumbing: in neither the list nor the counts.
    expect(summary.counts).toEqual({ create: 0, update: 2, delete: 1, replace: 1, same: 2 });
    const [site] = summary.resources;
    // The engine diffed the JSON file's inputs itself, down to nested paths; the provider named the cause.
    expect(site).toMatchObject({ diffs: ['data.tags.owner', 'data.tags.team', 'folder'], replaceCauses: ['folder'], protected: false });
  });

  it('marks the failed step and keeps its error, dropping the generic "update failed"', () => {
    const summary = summaryOf('up-failed.json');
    expect(summary.resources.filter((r) => r.op !== 'same').map((r) => [r.op, r.name, r.failed ?? false])).toEqual([['create', 'broken', true]]);
    expect(summary.diagnostics).toEqual([{ severity: 'error', message: 'disk quota exceeded writing broken.txt', urn: urnOf(FILE, 'broken') }]);
    expect(resultOf(summary, true)).toBe('failed');
  });

  it('marks a protected deletion the engine refused as failed, though no failure event came', () => {
    const summary = summaryOf('preview-protected-delete.json');
    const vault = summary.resources.find((r) => r.name === 'vault');
    expect(vault).toMatchObject({ op: 'delete', protected: true, failed: true });
    expect(summary.resources.filter((r) => r.failed).map((r) => r.name)).toEqual(['vault']);
    expect(summary.diagnostics).toHaveLength(1);
    expect(summary.diagnostics[0]?.message).toMatch(/^Preview failed: resource ".*::vault" cannot be deleted\nbecause it is protected\./);
    // Nothing was deleted: the engine's counts say so.
    expect(summary.counts.delete).toBe(0);
  });

  it('keeps the generic failure when it is the only error there is', () => {
    expect(summaryOf('preview-policy-violations.json').diagnostics).toEqual([{ severity: 'error', message: 'preview failed' }]);
  });

  it('maps policy events to violations: mandatory, advisory, and on the whole stack', () => {
    const { policyViolations } = summaryOf('preview-policy-violations.json');
    expect(policyViolations.map((p) => [p.policy, p.enforcement, p.urn && urnName(p.urn)])).toEqual([
      ['files-have-mode', 'advisory', 'site'],
      ['files-have-mode', 'advisory', 'vault'],
      ['files-have-mode', 'advisory', 'token'],
      ['no-world-writable', 'mandatory', 'shared'],
      ['files-have-mode', 'advisory', 'readme'],
      ['at-most-five-files', 'advisory', 'events-dev'],
    ]);
    expect(policyViolations[3]).toEqual({
      policyPack: 'file-rules',
      policy: 'no-world-writable',
      enforcement: 'mandatory',
      message: 'Files may not be world-writable.\nshared has mode 0666: anyone can write it; use 0644.',
      urn: urnOf(FILE, 'shared'),
    });
  });

  it('finds no changes when everything is the same', () => {
    const summary = summaryOf('preview-no-changes.json');
    expect(summary.counts).toEqual({ create: 0, update: 0, delete: 0, replace: 0, same: 6 });
    expect(summary.resources.map((r) => r.name)).toEqual(['logs', 'site', 'notes', 'vault', 'token']);
    expect(resultOf(summary, false)).toBe('no-changes');
  });

  it('describes a refreshed resource by what the refresh found: drift is an update', () => {
    const summary = summaryOf('refresh-drift.json');
    expect(summary.resources.filter((r) => r.op !== 'same').map((r) => [r.op, r.name])).toEqual([['update', 'notes']]);
    expect(summary.counts).toEqual({ create: 0, update: 1, delete: 0, replace: 0, same: 4 });
    expect(resultOf(summary, false)).toBe('succeeded');
  });

  it('counts from the events when the stream has no summary, replacements once', () => {
    const events = loadEvents('up-update-replace-delete.json').filter((e) => !e.summaryEvent);
    const summary = changeSummaryFromEvents(events);
    expect(summary.counts).toEqual({ create: 0, update: 2, delete: 1, replace: 1, same: 2 });
    expect(summary.durationSeconds).toBeUndefined();
  });

  it("trusts the summary's counts over the events", () => {
    const events = loadEvents('up-failed.json');
    // The failed create is in the events but not among the summary's completed steps.
    expect(changeSummaryFromEvents(events).counts.create).toBe(0);
    expect(changeSummaryFromEvents(events.filter((e) => !e.summaryEvent)).counts.create).toBe(1);
  });
});

describe.each(eventFixtureFiles())('changeSummaryFromEvents on %s', (file) => {
  const summary = summaryOf(file);

  it('lists each resource once, replacements folded and plumbing only when it changes', () => {
    const urns = summary.resources.map((r) => r.urn);
    expect(new Set(urns).size).toBe(urns.length);
    for (const { op, type, name, urn } of summary.resources) {
      expect(['create-replacement', 'read-replacement', 'import-replacement']).not.toContain(op);
      expect(op === 'same' && (type === 'pulumi:pulumi:Stack' || type.startsWith('pulumi:providers:'))).toBe(false);
      expect(urn.endsWith(`::${name}`)).toBe(true);
    }
  });

  it('keeps counts for the five main operations and no replacement helper steps', () => {
    expect(Object.keys(summary.counts)).toEqual(expect.arrayContaining(['create', 'update', 'delete', 'replace', 'same']));
    expect(Object.keys(summary.counts)).not.toContain('create-replacement');
    expect(Object.keys(summary.counts)).not.toContain('delete-replaced');
  });

  it('has no colour directives left in messages', () => {
    for (const { message } of [...summary.diagnostics, ...summary.policyViolations]) expect(message).not.toMatch(/<\{%/);
  });
});

describe('changeSummaryFromEvents, edge cases', () => {
  const step = (kind: 'resourcePreEvent' | 'resOutputsEvent', op: string, urn: string): EngineEvent => ({
    sequence: 0,
    timestamp: 0,
    [kind]: { metadata: { op, urn, type: 'random:index/randomPet:RandomPet', provider: '' } },
  });

  it('lists a resource seen only through its outputs event', () => {
    const summary = changeSummaryFromEvents([step('resOutputsEvent', 'create', 'urn:pulumi:s::p::random:index/randomPet:RandomPet::solo')]);
    expect(summary.resources.map((r) => [r.op, r.name])).toEqual([['create', 'solo']]);
    expect(summary.counts.create).toBe(1);
  });

  it("describes a refreshed resource by the refresh's result", () => {
    const urn = 'urn:pulumi:s::p::random:index/randomPet:RandomPet::drifted';
    const summary = changeSummaryFromEvents([step('resourcePreEvent', 'refresh', urn), step('resOutputsEvent', 'update', urn)]);
    expect(summary.resources.map((r) => r.op)).toEqual(['update']);
  });

  it('lists a plain delete-replaced (a pending deletion being cleaned up) as that, not as a replacement', () => {
    const urn = 'urn:pulumi:s::p::random:index/randomPet:RandomPet::old';
    const summary = changeSummaryFromEvents([step('resourcePreEvent', 'delete-replaced', urn), step('resourcePreEvent', 'same', urn)]);
    expect(summary.resources.map((r) => r.op)).toEqual(['delete-replaced']);
  });

  it('lists the stack and explicit providers when they change, never default providers', () => {
    const summary = changeSummaryFromEvents([
      { sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { op: 'create', urn: 'urn:pulumi:s::p::pulumi:pulumi:Stack::p-s', type: 'pulumi:pulumi:Stack', provider: '' } } },
      { sequence: 1, timestamp: 0, resourcePreEvent: { metadata: { op: 'update', urn: 'urn:pulumi:s::p::pulumi:providers:aws::eu-west', type: 'pulumi:providers:aws', provider: '' } } },
      { sequence: 2, timestamp: 0, resourcePreEvent: { metadata: { op: 'create', urn: 'urn:pulumi:s::p::pulumi:providers:aws::default_6_1_0', type: 'pulumi:providers:aws', provider: '' } } },
    ]);
    expect(summary.resources.map((r) => r.name)).toEqual(['p-s', 'eu-west']);
    expect(summary.counts).toMatchObject({ create: 1, update: 1 });
  });

  it('handles an empty stream', () => {
    const summary = changeSummaryFromEvents([]);
    expect(summary).toEqual({
      resources: [],
      counts: { create: 0, update: 0, delete: 0, replace: 0, same: 0 },
      diagnostics: [],
      policyViolations: [],
      maybeCorrupt: false,
    });
    expect(resultOf(summary, false)).toBe('no-changes');
  });
});

describe('changeSummaryFromEvents, generated streams', () => {
  it('handles the stack alone', () => {
    const summary = changeSummaryFromEvents(streamOf([]));
    expect(summary.resources).toEqual([]);
    expect(summary.counts.same).toBe(2);
  });

  it('handles one resource', () => {
    const summary = changeSummaryFromEvents(streamOf([{ name: 'only', op: 'create' }]));
    expect(summary.resources).toEqual([
      { urn: 'urn:pulumi:dev::big::random:index/randomPet:RandomPet::only', type: 'random:index/randomPet:RandomPet', name: 'only', op: 'create', diffs: [], protected: false },
    ]);
  });

  it('builds 10,000 resources, one in ten a replacement', () => {
    const events = streamOf(generatedResources(10_000, (i) => (i % 10 === 0 ? 'replace' : 'update')));
    const summary = changeSummaryFromEvents(events);
    expect(summary.resources).toHaveLength(10_000);
    expect(summary.counts).toMatchObject({ replace: 1_000, update: 9_000, same: 2 });
  });
});

describe('urnName', () => {
  it('takes what follows the type, including nested types and names containing ::', () => {
    expect(urnName('urn:pulumi:dev::web::aws:s3/bucketV2:BucketV2$aws:s3/bucketObject:BucketObject::index.html')).toBe('index.html');
    expect(urnName('urn:pulumi:dev::web::custom:x:Y::a::b')).toBe('a::b');
  });
});

describe('resultOf', () => {
  const counts = (extra: Record<string, number>) => ({
    resources: [],
    diagnostics: [],
    policyViolations: [],
    maybeCorrupt: false,
    counts: { create: 0, update: 0, delete: 0, replace: 0, same: 3, ...extra },
  });

  it('is failed when the operation failed, whatever changed', () => {
    expect(resultOf(counts({ create: 1 }), true)).toBe('failed');
  });
  it('is succeeded with any change, including operations beyond the five', () => {
    expect(resultOf(counts({ delete: 1 }), false)).toBe('succeeded');
    expect(resultOf(counts({ import: 2 }), false)).toBe('succeeded');
  });
  it('is no-changes when only same and reads happened', () => {
    expect(resultOf(counts({ read: 4 }), false)).toBe('no-changes');
    expect(hasChanges(counts({ read: 4 }).counts)).toBe(false);
  });
});
