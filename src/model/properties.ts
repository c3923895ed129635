// What changed in a resource's properties, from a step's old and new inputs in the engine's events:
// each changed property with its value before and after, whether it forces the replacement, and
// whether it was added or removed. Secrets are kept only as the fact that they are secret. Pure.
import type { DiffKind, EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { isSecret, SECRET_PLACEHOLDER, SECRET_SIGNATURE, SIGNATURE_KEY, UNKNOWN } from './pulumi-formats.js';

type StepEventMetadata = NonNullable<EngineEvent['resourcePreEvent']>['metadata'];
type PropertyDiff = NonNullable<StepEventMetadata['detailedDiff']>[string];

export interface PropertyChange {
  /** The property's path as the engine writes it: `content`, `data.tags.team`, `ports[0]`. */
  path: string;
  kind: 'add' | 'delete' | 'update';
  /** The value before (absent when added) and after (absent when removed); a secret is `SECRET`. */
  old?: unknown;
  new?: unknown;
  /** Changing this property forces the replacement (the engine's `keys`, or a `-replace` diff kind). */
  replaces: boolean;
}

/**
 * A secret as the change model keeps it: the signature alone. The engine's events carry a secret
 * as the signature with `ciphertext: "[secret]"`; whatever else one might carry (a `value`) is
 * dropped here, so no secret's value reaches a renderer.
 */
export const SECRET: Readonly<Record<string, string>> = Object.freeze({ [SIGNATURE_KEY]: SECRET_SIGNATURE });

/** The value with every secret in it, at any depth, reduced to `SECRET`. */
function withoutSecretValues(value: unknown): unknown {
  if (isSecret(value)) return SECRET;
  if (Array.isArray(value)) return value.map(withoutSecretValues);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutSecretValues(item)]));
  }
  return value;
}

const PATH_SEGMENT = /^(?:\.?([^.[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/;

/** `data.tags["a.b"][0]` as `['data', 'tags', 'a.b', 0]`; undefined for a path it cannot read. */
function pathSegments(path: string): (string | number)[] | undefined {
  const segments: (string | number)[] = [];
  let rest = path;
  while (rest !== '') {
    const match = PATH_SEGMENT.exec(rest);
    if (!match) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** The value at a property path; a secret on the way hides everything below it. */
function valueAt(properties: Record<string, unknown>, path: string): unknown {
  const segments = pathSegments(path) ?? [path];
  let value: unknown = properties;
  for (const segment of segments) {
    if (isSecret(value)) return SECRET;
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return withoutSecretValues(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Top-level inputs that differ, for a step whose provider said neither which (`diffs`) nor how
 * (`detailedDiff`). Names starting `__` are the SDKs' bookkeeping (a dynamic provider's serialized
 * code, a bridged provider's `__defaults`), not the user's properties.
 */
function differingKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !key.startsWith('__')).sort();
  const differing = keys.filter((key) => !sameValue(before[key], after[key]));
  if (differing.length > 0) return differing;
  // The events hide a secret's value, so two secrets look alike: when nothing visible differs, the
  // change the provider found is in a secret, and those are what is listed.
  return keys.filter((key) => isSecret(before[key]) && isSecret(after[key]));
}

function topLevel(path: string): string {
  return String(pathSegments(path)?.[0] ?? path);
}

function kindOf(diff: PropertyDiff): PropertyChange['kind'] {
  // The enum's values, as the events carry them: importing the enum itself would load the Automation API.
  const kind: `${DiffKind}` = diff.diffKind;
  if (kind === 'add' || kind === 'add-replace') return 'add';
  if (kind === 'delete' || kind === 'delete-replace') return 'delete';
  return 'update';
}

function change(path: string, kind: PropertyChange['kind'], before: unknown, after: unknown, replaces: boolean): PropertyChange {
  return { path, kind, ...(kind !== 'add' ? { old: before } : {}), ...(kind !== 'delete' ? { new: after } : {}), replaces };
}

/**
 * The property changes of one step, for steps that have a state before and after (updates,
 * replacements, a refresh that found drift): from the provider's detailed diff when it gives one
 * (nested paths), else from the keys it names, else from comparing the inputs.
 */
export function propertyChanges(metadata: StepEventMetadata): PropertyChange[] {
  const before = metadata.old?.inputs;
  const after = metadata.new?.inputs;
  if (!before || !after) return [];
  const keys = new Set(metadata.keys ?? []);
  const forcesReplacement = (path: string): boolean => keys.has(path) || keys.has(topLevel(path));
  const detailed = Object.entries(metadata.detailedDiff ?? {});
  if (detailed.length > 0) {
    return detailed.map(([path, diff]) => {
      const source = diff.inputDiff ? 'inputs' : 'outputs';
      const kind = kindOf(diff);
      const replaces = diff.diffKind.endsWith('-replace') || forcesReplacement(path);
      return change(path, kind, valueAt(metadata.old?.[source] ?? {}, path), valueAt(metadata.new?.[source] ?? {}, path), replaces);
    });
  }
  const paths = metadata.diffs && metadata.diffs.length > 0 ? metadata.diffs : differingKeys(before, after);
  return paths.map((path) => {
    const old = valueAt(before, path);
    const now = valueAt(after, path);
    const kind = old === undefined ? 'add' : now === undefined ? 'delete' : 'update';
    return change(path, kind, old, now, forcesReplacement(path));
  });
}

/**
 * Masks the configured secrets in property changes, before anything is escaped: a value equal to
 * one becomes `SECRET` (as a secret the engine marked is), text containing one has it masked.
 */
export function redactPropertyChanges(changes: readonly PropertyChange[], secrets: readonly string[], mask: (text: string) => string): PropertyChange[] {
  const configured = new Set(secrets.filter((secret) => secret !== ''));
  const redactValue = (value: unknown): unknown => {
    if ((typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && configured.has(String(value))) return SECRET;
    if (typeof value === 'string') return mask(value);
    if (isSecret(value)) return SECRET;
    if (Array.isArray(value)) return value.map(redactValue);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [mask(key), redactValue(item)]));
    }
    return value;
  };
  return changes.map((c) => ({
    ...c,
    path: mask(c.path),
    ...('old' in c ? { old: redactValue(c.old) } : {}),
    ...('new' in c ? { new: redactValue(c.new) } : {}),
  }));
}

/**
 * A value on one line, the way a reviewer reads it: strings quoted, objects as compact JSON,
 * `[secret]` for a secret and `[unknown]` for what the update has yet to compute.
 */
export function formatValue(value: unknown): string {
  if (value === undefined || value === UNKNOWN) return '[unknown]';
  if (isSecret(value)) return SECRET_PLACEHOLDER;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${formatValue(item)}`)
      .join(',')}}`;
  }
  // JSON has no text for a function or a symbol (never in engine events): shown as JavaScript shows them.
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  return JSON.stringify(value);
}
