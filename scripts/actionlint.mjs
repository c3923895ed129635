#!/usr/bin/env node
// actionlint for the repository's workflows and the example workflows, built from the Go module
// proxy on first use (scripts/go-tool.mjs). actionlint runs shellcheck and pyflakes over `run:`
// scripts when they are on PATH; neither is required.
//
//   node scripts/actionlint.mjs                  lints .github/workflows and examples/workflows
//   node scripts/actionlint.mjs [options] FILE…  passes everything to actionlint as given
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoTool, goToolPath, lastLines } from './go-tool.mjs';

export const ACTIONLINT_VERSION = 'v1.7.12';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ACTIONLINT_BIN = goToolPath('actionlint', ACTIONLINT_VERSION);
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

/** Returns the path of the actionlint binary, building it when it is not cached. */
export function ensureActionlint(options = {}) {
  return ensureGoTool({ name: 'actionlint', module: 'github.com/rhysd/actionlint/cmd/actionlint', version: ACTIONLINT_VERSION, about: 'about 30 s', ...options });
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
