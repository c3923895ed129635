import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { takeRunnerChannels } from '../../../src/base/runner.js';
import type { KeyDerivation } from '../../../src/base/run-context.js';
import { deriveKey, startKeyDerivation as startFrom } from '../../../src/workspace/passphrase-key.js';
import { encryptionSalt } from '../../support/stack-files.js';

const PASSPHRASE = 'unit-passphrase';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passphrase-key-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

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
