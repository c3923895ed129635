// Stack files as the CLI writes them, for the tests of what the action reads from them.
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';

/** A stack file's `encryptionsalt` as `pulumi stack init` writes one: the salt, and "pulumi" sealed under its key. */
export function encryptionSalt(passphrase: string): { line: string; salt: string } {
  const salt = randomBytes(8);
  const key = pbkdf2Sync(passphrase, salt, 1_000_000, 32, 'sha256');
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update('pulumi'), cipher.final(), cipher.getAuthTag()]);
  return { line: `encryptionsalt: v1:${salt.toString('base64')}:v1:${nonce.toString('base64')}:${sealed.toString('base64')}\n`, salt: salt.toString('base64') };
}
