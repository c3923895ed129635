// The passphrase's key for secret config, derived from the moment the action starts. Deriving it
// (PBKDF2-SHA256, 1,000,000 iterations) takes 130-200 ms here, and the config stage, which needs it,
// is reached about 150 ms after start: begun by the entry point, on libuv's thread pool while the
// rest of the action loads, it is mostly done by then. The entry point only guesses which stack
// file the run will use (from the raw inputs, before they are checked): passphrase.ts takes the key
// only when its salt is the one the checked settings lead to. Imports nothing of the action's, so
// the entry point's bundle stays small.
import { pbkdf2 } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { KeyDerivation } from '../base/run-context.js';

type Env = Record<string, string | undefined>;

const ITERATIONS = 1_000_000;
const KEY_BYTES = 32;

export function deriveKey(passphrase: string, salt: string): Promise<Buffer> {
  return promisify(pbkdf2)(passphrase, Buffer.from(salt, 'base64'), ITERATIONS, KEY_BYTES, 'sha256');
}

/** As the CLI reads it: PULUMI_CONFIG_PASSPHRASE when set, even empty, else the trimmed file. */
export function passphraseFrom(env: Env): string | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  return file ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Starts deriving the key of the stack file the raw inputs name (`input`, as the runner passed them), when the `config` input has a
 * secret and the file a passphrase salt; otherwise (or on anything unexpected) nothing: the config
 * stage then derives it itself.
 */
export function startKeyDerivation(input: (name: 'stack' | 'config' | 'work-dir') => string, env: Env): KeyDerivation | undefined {
  try {
    const stack = input('stack');
    if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(stack) || !hasSecret(input('config'))) return undefined;
    const dir = path.resolve(env.GITHUB_WORKSPACE || process.cwd(), input('work-dir') || '.');
    // A project that keeps its stack files elsewhere is left to the config stage.
    if (/^stackConfigDir:/m.test(readIfThere(path.join(dir, 'Pulumi.yaml')) ?? '')) return undefined;
    const file = [`Pulumi.${stack}.yml`, `Pulumi.${stack}.yaml`].map((name) => path.join(dir, name)).find((f) => fs.existsSync(f));
    const salt = /^encryptionsalt:\s*v1:([A-Za-z0-9+/=]+):/m.exec(file ? fs.readFileSync(file, 'utf8') : '')?.[1];
    const passphrase = passphraseFrom(env);
    if (salt === undefined || passphrase === undefined) return undefined;
    const key = deriveKey(passphrase, salt);
    // Nobody may await it (the inputs turn out bad): a failure is then nobody's concern.
    key.catch(() => undefined);
    return { passphrase, salt, key };
  } catch {
    return undefined;
  }
}

function hasSecret(config: string): boolean {
  try {
    const parsed: unknown = JSON.parse(config);
    return typeof parsed === 'object' && parsed !== null && Object.values(parsed).some((v) => (v as { secret?: unknown } | null)?.secret === true);
  } catch {
    return false;
  }
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
