import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KeyDerivation } from '../../../src/base/run-context.js';
import { passphraseCrypter } from '../../../src/workspace/passphrase.js';
import { deriveKey } from '../../../src/workspace/passphrase-key.js';
import { encryptionSalt } from '../../support/stack-files.js';

const PASSPHRASE = 'unit-passphrase';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passphrase-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const { line, salt } = encryptionSalt(PASSPHRASE);

describe('passphraseCrypter with a key started early', () => {
  const file = path.join(root, 'Pulumi.dev.yaml');
  fs.writeFileSync(path.join(root, 'Pulumi.yaml'), 'name: p\nruntime: python\n');
  fs.writeFileSync(file, line);
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
