// Engine event streams for the report tests: the ones in __tests__/fixtures/events, recorded from
// real CLI runs by scripts/record-events.mjs, and generated ones for sizes no recording reaches,
// shaped like them: the stack and its default provider unchanged, then one step (or the three steps
// of a replacement) per resource, each as a pre event and an outputs event, then the summary.
import { readdirSync, readFileSync } from 'node:fs';
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { changeSummaryFromEvents, resultOf, type Report } from '../../src/model/changes.js';

const FIXTURES = new URL('../fixtures/events/', import.meta.url);

export interface GeneratedResource {
  name: string;
  op: 'create' | 'update' | 'delete' | 'replace' | 'same';
  type?: string;
  diffs?: string[];
  /** The inputs before and after, as a step's `old` and `new` states carry them (steps that have each). */
  inputs?: { old?: Record<string, unknown>; new?: Record<string, unknown> };
}

const STACK_URN = 'urn:pulumi:dev::big::pulumi:pulumi:Stack::big-dev';
const PROVIDER_URN = 'urn:pulumi:dev::big::pulumi:providers:random::default_4_16_0';
const PROVIDER_REF = `${PROVIDER_URN}::9f2c63f0-5d3c-4b8e-9b7e-2f0d1b4c6a11`;
const DEFAULT_TYPE = 'random:index/randomPet:RandomPet';

/** Every recorded stream in the fixtures folder. */
export function eventFixtureFiles(): string[] {
  return readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.json'))
    .sort();
}

/** Reads a recorded stream from the fixtures folder. */
export function loadEvents(file: string): EngineEvent[] {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as EngineEvent[];
}

export function generatedResources(count: number, opOf: (index: number) => GeneratedResource['op']): GeneratedResource[] {
  return Array.from({ length: count }, (_, i) => {
    const op = opOf(i);
    return { name: `pet-${i}`, op, ...(op === 'update' ? { diffs: ['length', 'prefix'] } : {}) };
  });
}

function stepsOf(op: GeneratedResource['op']): string[] {
  return op === 'replace' ? ['create-replacement', 'replace', 'delete-replaced'] : [op];
}

export function streamOf(resources: readonly GeneratedResource[], options: { summary?: boolean } = {}): EngineEvent[] {
  const events: EngineEvent[] = [];
  const push = (event: Omit<EngineEvent, 'sequence' | 'timestamp'>): void => {
    events.push({ sequence: events.length, timestamp: 1_718_000_000 + events.length, ...event });
  };
  const step = (op: string, urn: string, type: string, diffs: string[] = [], inputs: GeneratedResource['inputs'] = {}): void => {
    const state = (values: Record<string, unknown> | undefined) => values && { urn, type, custom: true, id: '', parent: STACK_URN, inputs: values, outputs: {}, provider: PROVIDER_REF };
    const before = op === 'create' ? undefined : state(inputs.old);
    const after = op === 'delete' || op === 'delete-replaced' ? undefined : state(inputs.new);
    const metadata = { op, urn, type, provider: PROVIDER_REF, diffs, ...(before ? { old: before } : {}), ...(after ? { new: after } : {}) } as NonNullable<EngineEvent['resourcePreEvent']>['metadata'];
    push({ resourcePreEvent: { metadata } });
    push({ resOutputsEvent: { metadata } });
  };
  push({ preludeEvent: { config: {} } });
  step('same', STACK_URN, 'pulumi:pulumi:Stack');
  step('same', PROVIDER_URN, 'pulumi:providers:random');
  const counts: Record<string, number> = { same: 2 };
  for (const resource of resources) {
    const type = resource.type ?? DEFAULT_TYPE;
    const urn = `urn:pulumi:dev::big::${type}::${resource.name}`;
    for (const op of stepsOf(resource.op)) step(op, urn, type, resource.diffs, resource.inputs);
    counts[resource.op] = (counts[resource.op] ?? 0) + 1;
  }
  if (options.summary ?? true) {
    push({ summaryEvent: { maybeCorrupt: false, durationSeconds: 12, resourceChanges: counts, policyPacks: {} } });
  }
  return events;
}

/** A report as the pipeline would build it from a stream; `overrides` set the rest. */
export function reportFrom(events: Iterable<EngineEvent>, overrides: Partial<Report> = {}): Report {
  const changes = changeSummaryFromEvents(events);
  return {
    command: 'preview',
    project: 'website',
    stack: 'dev',
    stackRef: 'acme/website/dev',
    result: resultOf(changes, overrides.result === 'failed'),
    changes,
    outputs: {},
    ...overrides,
  };
}

/** The best of `runs` timings in milliseconds, after a warm-up run that also pays for JIT compilation. */
