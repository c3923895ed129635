// Plain config values written into the stack's settings file (Pulumi.<stack>.yaml) the way
// `pulumi config set` writes them, without a CLI process: each `pulumi` call costs 115-160 ms, and a
// plain value needs nothing the CLI has. The file keeps its comments and order; keys it did not have
// are added in sorted order, as the CLI adds them; strings are quoted as the CLI's YAML encoder
// quotes them. Secret values need the stack's secrets provider: given its crypter (passphrase.ts) they
// are written here too, as `secure:` values; without it they, and anything this module does not know
// how to write exactly as the CLI would, are left to the CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCollection, isMap, isScalar, isSeq, parseDocument, Scalar, visit, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import { stackConfigFolder } from './project-paths.js';
import type { ConfigEntry, ProjectFile } from '../model/settings.js';
import type { SecretCrypter } from './passphrase.js';

export interface StackConfigEdit {
  /** The file's new text, or undefined when it already holds every value. */
  text?: string;
  /** Entries for the CLI: secrets without a crypter, and keys this module does not write itself. */
  viaCli: ConfigEntry[];
}

/** The stack's settings file: `Pulumi.<stack>.yaml` in the project's folder or its `stackConfigDir`. */
export function stackConfigFile(workDir: string, project: ProjectFile, stack: string): string {
  const dir = stackConfigFolder(workDir, project);
  const yml = path.join(dir, `Pulumi.${stack}.yml`);
  return fs.existsSync(yml) ? yml : path.join(dir, `Pulumi.${stack}.yaml`);
}

/** Applies the entries to the file's text (absent: no file yet); secret ones only with a crypter. */
export function editStackConfig(text: string | undefined, projectName: string, entries: readonly ConfigEntry[], crypter?: SecretCrypter): StackConfigEdit {
  const viaCli: ConfigEntry[] = [];
  const doc = parseDocument(text ?? '');
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents)) || hasFlowContent(doc)) return { viaCli: [...entries] };
  let changed = false;
  // Plain keys, then property paths (the CLI's two calls), each sorted, so keys the file lacks are
  // added in the CLI's order.
  const writes = entries
    .map((entry) => ({ entry, route: entry.secret && !crypter ? undefined : routeOf(entry, projectName) }))
    .sort((a, b) => Number(a.entry.path) - Number(b.entry.path) || compareBytes(a.route?.join('\u0000') ?? '', b.route?.join('\u0000') ?? ''));
  for (const { entry, route } of writes) {
    const result = route && setAt(doc, route, entry.secret ? { secret: entry.value, crypter: crypter! } : entry.path ? pathLeaf(entry.value) : entry.value);
    if (result === undefined) viaCli.push(entry);
    else changed ||= result;
  }
  return { text: changed ? doc.toString({ lineWidth: 0 }) : undefined, viaCli };
}

type Segment = string | number;

/** Where a value goes: `config`, the namespaced key, then the property path's segments. */
function routeOf(entry: ConfigEntry, projectName: string): Segment[] | undefined {
  const segments = entry.path ? parsePropertyPath(entry.key) : [entry.key];
  const root = segments?.[0];
  if (typeof root !== 'string') return undefined;
  const colons = root.split(':').length - 1;
  if (colons > 1 || root.startsWith(':') || root.endsWith(':')) return undefined;
  return ['config', colons === 1 ? root : `${projectName}:${root}`, ...segments!.slice(1)];
}

/** `a.b[0]["c.d"]` as the CLI's `--path` reads it; undefined for anything less plain. */
function parsePropertyPath(key: string): Segment[] | undefined {
  const match = /^([^.[\]"]+)((?:\.[^.[\]"]+|\[\d+\]|\["[^"[\]]*"\])*)$/.exec(key);
  if (!match) return undefined;
  const rest = [...match[2]!.matchAll(/\.([^.[\]"]+)|\[(\d+)\]|\["([^"[\]]*)"\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3])!));
  return [match[1]!, ...rest];
}

/** With `--path`, the CLI stores whole numbers and true/false as such, anything else as a string. */
function pathLeaf(value: string): string | number | boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^-?[1-9]\d{0,17}$|^0$/.test(value) ? Number(value) : value;
}

type Leaf = string | number | boolean | { secret: string; crypter: SecretCrypter };

/** Sets the value; true when the file changed, false when it held it already, undefined to leave it to the CLI. */
function setAt(doc: Document, route: Segment[], value: Leaf): boolean | undefined {
  if (doc.contents === null) doc.contents = doc.createNode({});
  let parent: Node = doc.contents;
  (parent as YAMLMap).flow = false;
  for (let i = 0; i < route.length - 1; i++) {
    const child = get(parent, route[i]!);
    // An empty `config:` is a map to be; any other null or scalar where the path needs a map or a
    // list is for the CLI to judge.
    if (child === undefined || (child === null && i === 0)) {
      const created = typeof route[i + 1] === 'number' ? new YAMLSeq() : new YAMLMap();
      if (!put(doc, parent, route[i]!, created)) return undefined;
      parent = created;
    } else if (child !== null && (isMap(child) || isSeq(child))) {
      // An empty `config: {}` gets block style from the CLI; what it does with other empty flow
      // collections depends on their kind, so those are for it to write.
      if (child.flow && !(i === 0 && isMap(child))) return undefined;
      child.flow = false;
      parent = child;
    } else {
      return undefined;
    }
  }
  const last = route[route.length - 1]!;
  const existing = get(parent, last);
  if (typeof value === 'object') {
    // A secret is `secure: <ciphertext>`; one that decrypts to the value is kept as it is.
    const held = secureValueOf(existing);
    if (held !== undefined && value.crypter.decrypt(held) === value.secret) return false;
    const secure = new YAMLMap();
    secure.items.push(doc.createPair(scalar('secure'), scalar(value.crypter.encrypt(value.secret))));
    return put(doc, parent, last, secure) ? true : undefined;
  }
  if (isScalar(existing)) {
    if (existing.value === value) return false;
    // Changed in place, so a comment on the line stays with it.
    existing.value = value;
    existing.type = scalar(value).type;
    return true;
  }
  return put(doc, parent, last, scalar(value)) ? true : undefined;
}

/** The ciphertext of a `secure:` value. */
function secureValueOf(node: Node | null | undefined): string | undefined {
  if (!isMap(node) || node.items.length !== 1) return undefined;
  const held = get(node, 'secure');
  return isScalar(held) && typeof held.value === 'string' ? held.value : undefined;
}

/**
 * A flow collection with something in it (`{a: 1}`, `[x]`), anywhere in the file: the CLI rewrites
 * those in its own spacing and quoting when it writes any value, so such a file is left to the CLI.
 * An empty one (`{}`, `[]`) it writes as it is.
 */
function hasFlowContent(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Node(_, node) {
      if (isCollection(node) && node.flow && node.items.length > 0) {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function pairOf(map: YAMLMap, key: string) {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function get(parent: Node, key: Segment): Node | null | undefined {
  if (isMap(parent) && typeof key === 'string') {
    const pair = pairOf(parent, key);
    return pair ? ((pair.value as Node | null) ?? null) : undefined;
  }
  if (isSeq(parent) && typeof key === 'number') return key < parent.items.length ? ((parent.items[key] as Node | null) ?? null) : undefined;
  return undefined;
}

function put(doc: Document, parent: Node, key: Segment, value: Node): boolean {
  if (isMap(parent) && typeof key === 'string') {
    const pair = pairOf(parent, key);
    if (pair) pair.value = value;
    else parent.items.push(doc.createPair(scalar(key), value));
    return true;
  }
  if (isSeq(parent) && typeof key === 'number') {
    // The CLI fills a gap before the index with nulls.
    while (parent.items.length < key) parent.items.push(new Scalar(null));
    parent.items[key] = value;
    return true;
  }
  return false;
}

/** A scalar in the style the CLI's YAML encoder (Go's gopkg.in/yaml.v3) gives it. */
function scalar(value: string | number | boolean): Scalar {
  const node = new Scalar(value);
  if (typeof value === 'string') node.type = stringStyle(value);
  return node;
}

// Strings yaml.v3 double-quotes: those that would read back as another type, YAML 1.1's booleans
// and base-60 numbers included.
const NOT_A_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?0x[0-9a-fA-F_]+|[-+]?0o[0-7_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;

function stringStyle(value: string): Scalar.Type {
  if (value === '' || NOT_A_STRING.test(value)) return 'QUOTE_DOUBLE';
  if (/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f\ufeff]/.test(value)) return 'QUOTE_DOUBLE';
  if (value.includes('\n')) return /^[ \t]|[ \t]$/m.test(value) ? 'QUOTE_DOUBLE' : 'BLOCK_LITERAL';
  return plainAllowed(value) ? 'PLAIN' : 'QUOTE_SINGLE';
}

/** What yaml.v3's emitter writes without quotes in a block mapping. */
function plainAllowed(value: string): boolean {
  if (/^[\s]|[\s]$/.test(value)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(value) && !/^[-?:][^\s,[\]{}]/.test(value)) return false;
  return !/: |:$| #/.test(value);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
