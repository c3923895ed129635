#!/usr/bin/env node
// `npm test`: makes the Pulumi toolchain available, builds nektos/act for the act suite and the
// Pulumi Cloud stand-in when they are not cached (scripts/act.mjs, scripts/pulumi-cloud.mjs),
// starts a throwaway PostgreSQL server for the postgres:// backend tests (scripts/postgres.mjs), then runs every test suite (unit, end-to-end, act) under Node 24
// with the toolchain first on PATH, and stops the server when jest ends, fails or is interrupted.
// Extra arguments go to jest.
//
// The server's URL reaches the tests as PULUMI_TEST_POSTGRES_URL. One already set (a server you run
// yourself, `node scripts/postgres.mjs`) is used as it is. When no server can be started the tests
// that need one fail, and PULUMI_TEST_POSTGRES_ERROR tells them why; the other suites still run.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAct } from './act.mjs';
import { findPostgresBin, startPostgres } from './postgres.mjs';
import { ensurePulumiCloud } from './pulumi-cloud.mjs';
import { ensureToolchain, toolchainEnv } from './toolchain.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jestArgs = process.argv.slice(2);
let postgres;
let jest;

// Ctrl-C reaches jest through the terminal's process group; a signal sent to this process alone is
// passed on. Either way this process waits for jest to end, then stops the server. A signal before
// jest started stops the server at once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!jest) process.exit(128 + os.constants.signals[signal]);
    if (jest.exitCode === null && jest.signalCode === null) jest.kill(signal);
  });
}
// Stops the server however this process ends (stop() is synchronous and idempotent).
process.on('exit', () => postgres?.stop());

const bin = await ensureToolchain();
const env = toolchainEnv(bin);

/** The jest projects `--selectProjects` names; none named means all of them. */
function selectedProjects(args) {
  const projects = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--selectProjects') while (i + 1 < args.length && !args[i + 1].startsWith('-')) projects.push(args[++i]);
    else if (args[i].startsWith('--selectProjects=')) projects.push(...args[i].slice('--selectProjects='.length).split(','));
  }
  return projects;
}
const projects = selectedProjects(jestArgs);
const selected = (name) => projects.length === 0 || projects.includes(name);

// Built here rather than inside a test: a first build takes about two minutes.
if (selected('act')) ensureAct();
// The Pulumi Cloud stand-in (Go): about 30 s the first time.
if (selected('e2e') || selected('act')) ensurePulumiCloud();

if (env.PULUMI_TEST_POSTGRES_URL) {
  try {
    env.PULUMI_TEST_POSTGRES_BIN ??= findPostgresBin(env);
  } catch {
    // psql then comes from PATH
  }
  process.stderr.write(`PostgreSQL: using PULUMI_TEST_POSTGRES_URL from the environment\n`);
} else if (selected('e2e') || selected('act')) {
  const started = Date.now();
  try {
    postgres = await startPostgres();
    env.PULUMI_TEST_POSTGRES_URL = postgres.url;
    env.PULUMI_TEST_POSTGRES_BIN = postgres.bin;
    process.stderr.write(`PostgreSQL: ${postgres.url} (${path.dirname(postgres.bin)}), started in ${Date.now() - started} ms\n`);
  } catch (err) {
    env.PULUMI_TEST_POSTGRES_ERROR = err.message;
    process.stderr.write(`PostgreSQL could not be started; the tests that need it will fail: ${err.message}\n`);
  }
}
jest = spawn(
  path.join(repo, 'node_modules', '.bin', 'node'),
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(repo, 'node_modules', 'jest', 'bin', 'jest.js'), ...jestArgs],
  { cwd: repo, env, stdio: 'inherit' },
);
jest.on('error', (err) => {
  process.stderr.write(`could not start jest: ${err.message}\n`);
  process.exit(1);
});
jest.on('exit', (code, signal) => {
  postgres?.stop();
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
});
