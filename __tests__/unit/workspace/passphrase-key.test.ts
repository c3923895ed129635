import { afterAll, describe, expect, it } from '@jest/globals';
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { passphraseCrypter } from '../../../src/workspace/passphrase.js';
import { takeRunnerChannels } from '../../../src/base/runner.js';
import type { KeyDerivation } from '../../../src/base/run-context.js';
import { deriveKey, startKeyDerivation as startFrom } from '../../../src/workspace/passphrase-key.js';

const PASSPHRASE = 'unit-passphrase';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passphrase-key-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A stack file's `encryptionsalt` as `pulumi stack init` writes one: the salt, and "pulumi" sealed under its key. */
function encryptionSalt(passphrase: string): { line: string; salt: string } {
  const salt = randomBytes(8);
  const key = pbkdf2Sync(passphrase, salt, 1_000_000, 32, 'sha256');
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update('pulumi'), cipher.final(), cipher.getAuthTag()]);
  return { line: `encryptionsalt: v1:${salt.toString('base64')}:v1:${nonce.toString('base64')}:${sealed.toString('base64')}\n`, salt: salt.toString('base64') };
}

const { line, salt } = encryptionSalt(PASSPHRASE);

/** As the entry point starts it: the raw inputs from the runner's INPUT_* variables, the rest from the environment. */
function startKeyDerivation(env: NodeJS.ProcessEnv): KeyDerivation | undefined {
  const rest = { ...env };
  return startFrom(takeRunnerChannels(rest).input, rest);
}

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries({ 'Pulumi.yaml': 'name: p\nruntime: python\n', ...files })) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

const SECRET_CONFIG = JSON.stringify({ region: 'eu', token: { value: 't', secret: true } });
const inputs = (dir: string, extra: Record<string, string> = {}) => ({
  GITHUB_WORKSPACE: root,
  'INPUT_WORK-DIR': path.basename(dir),
  INPUT_STACK: 'dev',
  INPUT_CONFIG: SECRET_CONFIG,
  PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
  ...extra,
});

describe('startKeyDerivation', () => {
  const plain = project('plain', { 'Pulumi.dev.yaml': line });

  it('derives the key of the stack file the inputs name, when the config has a secret', async () => {
    const started = startKeyDerivation(inputs(plain));
    expect(started).toMatchObject({ passphrase: PASSPHRASE, salt });
    expect((await started!.key).equals(await deriveKey(PASSPHRASE, salt))).toBe(true);
  });

  it('finds a Pulumi.<stack>.yml too', () => {
    expect(startKeyDerivation(inputs(project('yml', { 'Pulumi.dev.yml': line })))?.salt).toBe(salt);
  });

  it.each([
    ['no secret in the config', { INPUT_CONFIG: '{"region": "eu"}' }],
    ['a config that is no JSON', { INPUT_CONFIG: '{"token": ' }],
    ['no passphrase', { PULUMI_CONFIG_PASSPHRASE: undefined }],
    ['a stack name the inputs stage would refuse', { INPUT_STACK: '../dev' }],
    ['a stack without a file', { INPUT_STACK: 'prod' }],
  ])('starts nothing for %s', (_, extra) => {
    expect(startKeyDerivation(inputs(plain, extra as Record<string, string>))).toBeUndefined();
  });

  it('leaves projects with a stackConfigDir, and stack files without a salt, to the config stage', () => {
    expect(startKeyDerivation(inputs(project('elsewhere', { 'Pulumi.yaml': 'name: p\nruntime: python\nstackConfigDir: stacks\n', 'Pulumi.dev.yaml': line })))).toBeUndefined();
    expect(startKeyDerivation(inputs(project('saltless', { 'Pulumi.dev.yaml': 'config:\n  p:a: b\n' })))).toBeUndefined();
  });
});

describe('passphraseCrypter with a key started early', () => {
  const file = path.join(project('crypter', { 'Pulumi.dev.yaml': line }), 'Pulumi.dev.yaml');
  const env = { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };
  const wrongKey = (forSalt: string, passphrase = PASSPHRASE): KeyDerivation => ({ passphrase, salt: forSalt, key: Promise.resolve(Buffer.alloc(32)) });

  it('takes the started key when it is for this passphrase and salt', async () => {
    // A wrong key for the very salt fails the check value: proof that it was the one used.
    expect(await passphraseCrypter(file, env, wrongKey(salt))).toBeUndefined();
    const right: KeyDerivation = { passphrase: PASSPHRASE, salt, key: deriveKey(PASSPHRASE, salt) };
    expect(await passphraseCrypter(file, env, right)).toBeDefined();
  });

  it('derives the key itself when the started one is for another salt or passphrase', async () => {
    expect(await passphraseCrypter(file, env, wrongKey('AAAAAAAAAAA='))).toBeDefined();
    expect(await passphraseCrypter(file, env, wrongKey(salt, 'another passphrase'))).toBeDefined();
  });
});
