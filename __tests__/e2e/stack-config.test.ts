// Plain config values written into Pulumi.<stack>.yaml by the action itself must be byte for byte
// what `pulumi config set-all` writes: the same file, comments and order kept, the same quoting.
// Each case runs the real CLI on one copy of a stack file and editStackConfig on another. Secret
// values encrypted by the action under the stack's passphrase must be what the CLI writes but for
// the ciphertexts (random nonces), and each side must read the other's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConfigEntry } from '../../src/model/settings.js';
import { passphraseCrypter, type SecretCrypter } from '../../src/workspace/passphrase.js';
import { editStackConfig } from '../../src/workspace/stack-config.js';

const PROJECT = 'cfg-check';
let dir: string;
let env: NodeJS.ProcessEnv;
/** The file `pulumi stack init` leaves: the passphrase's salt and nothing else. */
let initial: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-config-'));
  fs.mkdirSync(path.join(dir, 'state'));
  fs.writeFileSync(path.join(dir, 'Pulumi.yaml'), `name: ${PROJECT}\nruntime: python\n`);
  env = { ...process.env, PULUMI_BACKEND_URL: `file://${dir}/state`, PULUMI_CONFIG_PASSPHRASE: 'stack-config' };
  cli(['stack', 'init', 'dev']);
  initial = fs.readFileSync(path.join(dir, 'Pulumi.dev.yaml'), 'utf8');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string): string {
  return execFileSync('pulumi', ['--non-interactive', ...args], { cwd: dir, env, input, encoding: 'utf8', stdio: 'pipe' });
}

const plain = (key: string, value: string, isPath = false): ConfigEntry => ({ key, value, secret: false, path: isPath });

const stackFile = () => path.join(dir, 'Pulumi.dev.yaml');

/** The file after the CLI sets `entries`: one set-all per kind of key (plain keys, property paths). */
function byCli(text: string, entries: ConfigEntry[]): string {
  fs.writeFileSync(stackFile(), text);
  for (const isPath of [false, true]) {
    const some = entries.filter((e) => e.path === isPath);
    const pairs = some.flatMap((e) => [e.secret ? '--secret' : '--plaintext', `${e.key}=${e.value}`]);
    if (some.length > 0) cli(['config', 'set-all', '--stack', 'dev', ...(isPath ? ['--path'] : []), ...pairs]);
  }
  return fs.readFileSync(stackFile(), 'utf8');
}

function byAction(text: string, entries: ConfigEntry[], crypter?: SecretCrypter): string {
  const edit = editStackConfig(text, PROJECT, entries, crypter);
  expect(edit.viaCli).toEqual([]);
  return edit.text ?? text;
}

const VALUES: [string, string][] = [
  ['message', 'hello'],
  ['aws:region', 'eu-west-1'],
  ['count', '3'],
  ['enabled', 'true'],
  ['answer', 'yes'],
  ['nothing', 'null'],
  ['tilde', '~'],
  ['empty', ''],
  ['ratio', '1.5'],
  ['octal', '0o17'],
  ['hex', '0x1F'],
  ['clock', '1:20'],
  ['padded', ' lead'],
  ['trailing', 'trail '],
  ['colon', 'a: b'],
  ['url', 'https://example.com/a?b=c#d'],
  ['hash', '#x'],
  ['spacehash', 'a #b'],
  ['dash', '-x'],
  ['dashspace', '- x'],
  ['quote', "it's"],
  ['dquote', '"q"'],
  ['braces', '{a}'],
  ['star', '*ref'],
  ['unicode', 'héllo wörld ✓'],
  ['multiline', 'line1\nline2'],
  ['multilineEnd', 'line1\nline2\n'],
  ['json', '{"a": [1, 2]}'],
  ['tab', 'a\tb'],
];

describe('plain config written as the CLI writes it', () => {
  it('into the file stack init left, every kind of string', () => {
    const entries = VALUES.map(([k, v]) => plain(k, v));
    expect(byAction(initial, entries)).toBe(byCli(initial, entries));
  });

  it('into a file with comments and keys of its own, updating one and adding others', () => {
    const text = `# Settings of the dev stack\n${initial}config:\n  # the region\n  aws:region: us-east-1 # was\n  ${PROJECT}:zeta: keep\n`;
    const entries = [plain('aws:region', 'eu-west-1'), plain('alpha', 'new'), plain('zeta', 'keep'), plain('beta', '2')];
    expect(byAction(text, entries)).toBe(byCli(text, entries));
  });

  it('with property paths: maps, lists, gaps, namespaces, typed leaves', () => {
    const entries = [
      plain('obj.a', '1', true),
      plain('obj.b[0]', 'x', true),
      plain('obj.b[1]', 'true', true),
      plain('obj["c.d"]', 'q', true),
      plain('aws:tags.Name', 'web', true),
      plain('list[2]', 'gap', true),
      plain('p.neg', '-3', true),
      plain('p.zero', '007', true),
      plain('p.float', '1.5', true),
      plain('p.no', 'False', true),
      plain('p.n', 'null', true),
      plain('top', 'plain'),
    ];
    expect(byAction(initial, entries)).toBe(byCli(initial, entries));
  });

  it('into an empty `config: {}`, in block style as the CLI writes it', () => {
    const entries = [plain('message', 'hello'), plain('obj.a', '1', true)];
    for (const text of [`${initial}config: {}\n`, '{}\n']) expect(byAction(text, entries)).toBe(byCli(text, entries));
  });

  it('leaves files with flow collections to the CLI, which rewrites them in its own style', () => {
    const texts = [`${initial}config: { ${PROJECT}:a: "1" }\n`, `${initial}config:\n  ${PROJECT}:o: { a: 1 }\n`, `${initial}config:\n  ${PROJECT}:l: [ x ]\n`];
    for (const text of texts) {
      const entries = [plain('message', 'hello')];
      // The CLI's file differs from what editing this one in place would give.
      expect(byCli(text, entries)).not.toBe(text.replace(/\n$/, `\n  ${PROJECT}:message: hello\n`));
      expect(editStackConfig(text, PROJECT, entries)).toEqual({ text: undefined, viaCli: entries });
    }
    const nested = `${initial}config:\n  ${PROJECT}:o: {}\n`;
    expect(editStackConfig(nested, PROJECT, [plain('o.x', 'y', true)]).viaCli).toHaveLength(1);
  });

  it('changes nothing when the file holds the values already', () => {
    const entries = VALUES.map(([k, v]) => plain(k, v));
    const written = byCli(initial, entries);
    expect(editStackConfig(written, PROJECT, entries)).toEqual({ text: undefined, viaCli: [] });
  });

  it('leaves secrets, and keys it cannot write as the CLI would, to the CLI', () => {
    const secret: ConfigEntry = { key: 'token', value: 's3cret', secret: true, path: false };
    const odd = plain('a:b:c', '1');
    const edit = editStackConfig(initial, PROJECT, [secret, odd, plain('ok', 'yes')]);
    expect(edit.viaCli).toEqual([secret, odd]);
    expect(edit.text).toContain(`${PROJECT}:ok: "yes"`);
    expect(edit.text).not.toContain('s3cret');
  });
});

const secret = (key: string, value: string, isPath = false): ConfigEntry => ({ key, value, secret: true, path: isPath });
const withoutCiphertexts = (text: string) => text.replace(/secure: v1:\S+/g, 'secure: <ciphertext>');

describe('secret config encrypted under the stack passphrase, as the CLI does it', () => {
  let crypter: SecretCrypter;
  const withFile = async (text: string, environment: NodeJS.ProcessEnv = env) => {
    const file = path.join(dir, 'Pulumi.probe.yaml');
    fs.writeFileSync(file, text);
    return passphraseCrypter(file, environment);
  };

  beforeAll(async () => {
    crypter = (await withFile(initial))!;
    expect(crypter).toBeDefined();
  });

  const entries = [secret('token', 's3cret'), secret('aws:secretKey', 'line1\nline2\n'), secret('db.password', 'p@ss: word', true), secret('list[1]', 'second', true), plain('region', 'eu')];

  it('writes the file the CLI writes, ciphertexts aside, and the CLI reads every value back', () => {
    const mine = byAction(initial, entries, crypter);
    expect(mine).not.toContain('s3cret');
    expect(withoutCiphertexts(mine)).toBe(withoutCiphertexts(byCli(initial, entries)));
    fs.writeFileSync(stackFile(), mine);
    expect(JSON.parse(cli(['config', '--stack', 'dev', '--show-secrets', '--json']))).toEqual({
      'aws:secretKey': { value: 'line1\nline2\n', secret: true },
      [`${PROJECT}:db`]: { value: '{"password":"p@ss: word"}', objectValue: { password: 'p@ss: word' }, secret: true },
      [`${PROJECT}:list`]: { value: '[null,"second"]', objectValue: [null, 'second'], secret: true },
      [`${PROJECT}:region`]: { value: 'eu', secret: false },
      [`${PROJECT}:token`]: { value: 's3cret', secret: true },
    });
  });

  it("keeps the CLI's ciphertext of an unchanged secret, and replaces a changed one", () => {
    const written = byCli(initial, [secret('token', 's3cret')]);
    expect(editStackConfig(written, PROJECT, [secret('token', 's3cret')], crypter)).toEqual({ text: undefined, viaCli: [] });
    const changed = byAction(written, [secret('token', 'other')], crypter);
    fs.writeFileSync(stackFile(), changed);
    expect(cli(['config', 'get', 'token', '--stack', 'dev'])).toBe('other\n');
  });

  it('reads the passphrase from PULUMI_CONFIG_PASSPHRASE_FILE, trimmed, as the CLI does', async () => {
    const phraseFile = path.join(dir, 'phrase.txt');
    fs.writeFileSync(phraseFile, 'stack-config\n');
    const { PULUMI_CONFIG_PASSPHRASE: _, ...rest } = env;
    expect(await withFile(initial, { ...rest, PULUMI_CONFIG_PASSPHRASE_FILE: phraseFile })).toBeDefined();
  });

  it('leaves secrets to the CLI for a wrong or missing passphrase, a new stack, or another provider', async () => {
    const { PULUMI_CONFIG_PASSPHRASE: _, ...noPhrase } = env;
    expect(await withFile(initial, { ...env, PULUMI_CONFIG_PASSPHRASE: 'wrong' })).toBeUndefined();
    expect(await withFile(initial, noPhrase)).toBeUndefined();
    expect(await withFile('config:\n  a: b\n')).toBeUndefined();
    expect(await withFile(`secretsprovider: awskms://alias/x\n${initial}`)).toBeUndefined();
    expect(await passphraseCrypter(path.join(dir, 'Pulumi.absent.yaml'), env)).toBeUndefined();
    const edit = editStackConfig(initial, PROJECT, [secret('token', 's3cret')]);
    expect(edit.viaCli).toEqual([secret('token', 's3cret')]);
  });
});
