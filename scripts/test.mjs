#!/usr/bin/env node
// `npm test`: makes the Pulumi toolchain available, then runs every test suite (unit and
// end-to-end) under Node 24 with the toolchain first on PATH. Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureToolchain, toolchainEnv } from './toolchain.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = await ensureToolchain();
const env = toolchainEnv(bin);
const jest = spawnSync(
  path.join(repo, 'node_modules', '.bin', 'node'),
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(repo, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)],
  { cwd: repo, env, stdio: 'inherit' },
);
process.exit(jest.status ?? 1);
