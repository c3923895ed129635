#!/usr/bin/env node
// nektos/act, an independent implementation of GitHub's runner, for the suite that runs real
// workflow files against the action (__tests__/act). Built from the Go module proxy on first use
// (scripts/go-tool.mjs), into ~/.cache/nektos-act/<version> (act keeps its own work folders in
// ~/.cache/act).
//
//   node scripts/act.mjs ARGS…   runs act with ARGS, building it first when needed
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoTool } from './go-tool.mjs';

export const ACT_VERSION = 'v0.2.89';
/** act asks its project's server for notices about new versions, and waits up to a second for them. */
export const ACT_ENV = { ACT_DISABLE_VERSION_CHECK: '1' };

/** Returns the path of the act binary, building it when it is not cached (about 2 minutes). */
export function ensureAct(options = {}) {
  return ensureGoTool({ name: 'act', module: 'github.com/nektos/act', version: ACT_VERSION, folder: 'nektos-act', about: 'about 2 minutes', ...options });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = spawnSync(ensureAct(), process.argv.slice(2), { stdio: 'inherit', env: { ...process.env, ...ACT_ENV } });
    if (result.error) throw result.error;
    process.exitCode = result.status ?? 1;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 3;
  }
}
