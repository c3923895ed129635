#!/usr/bin/env node
// actionlint for the repository's workflows and the example workflows. Our machines and CI reach
// package registries only, so the binary is built from the Go module proxy, once per version, into
// a cache outside the repository (~/.cache/actionlint/<version>). actionlint runs shellcheck and
// pyflakes over `run:` scripts when they are on PATH; neither is required.
//
//   node scripts/actionlint.mjs                  lints .github/workflows and examples/workflows
//   node scripts/actionlint.mjs [options] FILE…  passes everything to actionlint as given
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTIONLINT_VERSION = 'v1.7.12';
const MODULE = 'github.com/rhysd/actionlint/cmd/actionlint';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = path.join(os.homedir(), '.cache', 'actionlint', ACTIONLINT_VERSION);
export const ACTIONLINT_BIN = path.join(CACHE_DIR, 'actionlint');
const WORKFLOW_DIRS = ['.github/workflows', 'examples/workflows'];

/** Workflow files (absolute paths) under .github/workflows and examples/workflows, sorted. */
export function workflowFiles(repo = REPO) {
  return WORKFLOW_DIRS.flatMap((dir) => {
    const abs = path.join(repo, dir);
    if (!fs.existsSync(abs)) return [];
    return fs
      .readdirSync(abs)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => path.join(abs, name));
  });
}

function lastLines(text, count = 20) {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** Returns the path of the actionlint binary, building it with `go install` when it is not cached. */
export function ensureActionlint({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (fs.existsSync(ACTIONLINT_BIN)) return ACTIONLINT_BIN;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    const why = go.error ? go.error.message : lastLines(go.stderr ?? '');
    throw new Error(`actionlint ${ACTIONLINT_VERSION} is built from source and needs Go 1.21 or later on PATH ('go version' failed: ${why}); install Go and run again.`);
  }
  log(`Building actionlint ${ACTIONLINT_VERSION} with ${go.stdout.trim()} into ${CACHE_DIR} (first time: about 30 s)…`);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  // Built into a private folder and renamed into place, so a run beside this one never starts a
  // half-written binary and two first runs at once both succeed.
  const staging = fs.mkdtempSync(path.join(CACHE_DIR, '.build-'));
  try {
    const build = spawnSync('go', ['install', `${MODULE}@${ACTIONLINT_VERSION}`], {
      encoding: 'utf8',
      // CGO off: a static binary that needs no C compiler on the machine.
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (build.error || build.status !== 0) {
      const why = build.error ? build.error.message : lastLines(build.stderr);
      throw new Error(`'go install ${MODULE}@${ACTIONLINT_VERSION}' failed (exit ${build.status}): ${why}`);
    }
    fs.renameSync(path.join(staging, 'actionlint'), ACTIONLINT_BIN);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return ACTIONLINT_BIN;
}

/**
 * Lints `files` (absolute, or relative to `cwd`) and returns actionlint's findings: one object per
 * problem with `message`, `filepath`, `line`, `column` and `kind`. An empty array means clean.
 */
export function lintWorkflows(files, { cwd = REPO } = {}) {
  if (files.length === 0) throw new Error('lintWorkflows needs at least one file: with none, actionlint would lint whatever it finds instead.');
  const bin = ensureActionlint();
  const result = spawnSync(bin, ['-no-color', '-format', '{{json .}}', '--', ...files], { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  // 0: no problem, 1: problems found; anything else is a failure of actionlint itself.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`actionlint exited with ${result.status ?? result.signal}: ${lastLines(result.stderr)}`);
  }
  return JSON.parse(result.stdout.trim() || '[]') ?? [];
}

/** Runs actionlint with its own output on the terminal; returns its exit code. */
export function runActionlint(args, { cwd = REPO } = {}) {
  const bin = ensureActionlint();
  const result = spawnSync(bin, args, { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    process.exitCode = runActionlint(args.length > 0 ? args : workflowFiles());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 3;
  }
}
