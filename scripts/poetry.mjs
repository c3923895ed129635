#!/usr/bin/env node
// Poetry for the end-to-end tests of poetry-managed programs: pip installs it from PyPI into a
// virtual environment of its own in a cache outside the repository (~/.cache/pulumi-stack-action),
// once per version, and a folder holding only a `poetry` link to it goes on PATH, so the tests'
// python3 stays the machine's.
//
//   node scripts/poetry.mjs   installs it when needed and prints the folder to put on PATH
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastLines } from './go-tool.mjs';

export const POETRY_VERSION = '2.5.1';

/** Returns the folder whose only entry is `poetry`, installing poetry first when it is not cached. */
export function ensurePoetry({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pulumi-stack-action', `poetry-${POETRY_VERSION}`);
  const bin = path.join(dir, 'bin');
  if (fs.existsSync(path.join(bin, 'poetry'))) return bin;
  log(`Installing poetry ${POETRY_VERSION} from PyPI into ${dir} (first time: about 20 s)…`);
  fs.mkdirSync(dir, { recursive: true });
  // A virtual environment cannot move once made: each install gets a folder of its own, and only the
  // link to it is renamed into place, so two first runs at once both end with a working poetry.
  const venv = fs.mkdtempSync(path.join(dir, 'venv-'));
  const run = (command, args) => {
    const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.error || result.status !== 0) {
      fs.rmSync(venv, { recursive: true, force: true });
      throw new Error(`'${[command, ...args].join(' ')}' failed (exit ${result.status}): ${result.error?.message ?? lastLines(result.stderr)}`);
    }
  };
  run('python3', ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `poetry==${POETRY_VERSION}`]);
  const staging = fs.mkdtempSync(path.join(dir, '.bin-'));
  fs.symlinkSync(path.join(venv, 'bin', 'poetry'), path.join(staging, 'poetry'));
  try {
    fs.renameSync(staging, bin);
  } catch {
    // Another run put its link there first.
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(venv, { recursive: true, force: true });
  }
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensurePoetry());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  }
}
