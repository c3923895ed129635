// Secret config values encrypted in this process, for a stack whose secrets provider is the
// passphrase (the default on self-managed backends). The CLI would take each value on its command
// line, where any process on the runner can read it (`/proc/<pid>/cmdline`), or one process per
// value on standard input; each process costs 115-160 ms and derives the key again (PBKDF2, about
// 150 ms more). Here the key is derived once, on libuv's thread pool from the moment the action
// starts (passphrase-key.ts), and a value the file already holds is recognised by decrypting it, so
// an unchanged secret leaves the file as it was.
//
// The scheme is Pulumi's own (sdk/go/common/resource/config/crypt.go): the stack file's
// `encryptionsalt` is `v1:<salt>:v1:<nonce>:<ciphertext>`, the key is PBKDF2-SHA256 of the
// passphrase over the salt with 1,000,000 iterations, and every value is AES-256-GCM under it,
// written `v1:<nonce>:<ciphertext and tag>` in base64. The salt's own ciphertext holds "pulumi",
// which tells a wrong passphrase; then, or for any other provider, the CLI does the work and reports.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { parseDocument } from 'yaml';
import type { KeyDerivation } from '../base/run-context.js';
import { deriveKey, passphraseFrom } from './passphrase-key.js';

export interface SecretCrypter {
  encrypt(plaintext: string): string;
  /** The plaintext, or undefined when this key did not encrypt it. */
  decrypt(ciphertext: string): string | undefined;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** What the salt's check value decrypts to under the right passphrase. */
const CHECK_VALUE = 'pulumi';

/**
 * The crypter for the stack file's passphrase salt, or undefined where the CLI must encrypt: no
 * file or no salt yet (a new stack), another secrets provider, no passphrase in the environment,
 * or a wrong one. Never rejects. `started`: the key the entry point began to derive, taken when it
 * is for this passphrase and salt.
 */
export async function passphraseCrypter(stackFile: string, env: Record<string, string | undefined>, started?: KeyDerivation): Promise<SecretCrypter | undefined> {
  try {
    const settings = parseDocument(fs.readFileSync(stackFile, 'utf8')).toJS() as unknown;
    if (!settings || typeof settings !== 'object') return undefined;
    const { encryptionsalt: salt, secretsprovider: provider } = settings as Record<string, unknown>;
    if (typeof salt !== 'string' || !['passphrase', 'default', '', undefined].includes(provider as string)) return undefined;
    const [version, saltB64, ...check] = salt.split(':');
    const passphrase = passphraseFrom(env);
    if (version !== 'v1' || saltB64 === undefined || passphrase === undefined) return undefined;
    const key = await (started?.salt === saltB64 && started.passphrase === passphrase ? started.key : deriveKey(passphrase, saltB64));
    const crypter = symmetricCrypter(key);
    return crypter.decrypt(check.join(':')) === CHECK_VALUE ? crypter : undefined;
  } catch {
    return undefined;
  }
}

function symmetricCrypter(key: Buffer): SecretCrypter {
  return {
    encrypt(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1:${nonce.toString('base64')}:${sealed.toString('base64')}`;
    },
    decrypt(ciphertext) {
      const [version, nonceB64, sealedB64, ...rest] = ciphertext.split(':');
      if (version !== 'v1' || nonceB64 === undefined || sealedB64 === undefined || rest.length > 0) return undefined;
      const nonce = Buffer.from(nonceB64, 'base64');
      const sealed = Buffer.from(sealedB64, 'base64');
      if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
