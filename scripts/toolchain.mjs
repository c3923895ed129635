#!/usr/bin/env node
// Makes the Pulumi CLI and its language hosts available for the tests and the local run, and prints
// the folder to put first on PATH. In order: a matching `pulumi` already on PATH; the cache from an
// earlier run; the from-source build in ../shared/pulumi-toolchain (for machines that reach package
// registries but not Pulumi's download site); an install through the Automation API.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PULUMI_VERSION = '3.274.1';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_SCRIPT = path.resolve(REPO, '..', 'shared', 'pulumi-toolchain', 'build.sh');
const CACHE_BIN = process.env.PULUMI_TOOLCHAIN_DIR || path.join(os.homedir(), '.cache', 'pulumi-toolchain', `v${PULUMI_VERSION}`, 'bin');
const NEEDED = ['pulumi', 'pulumi-language-python', 'pulumi-language-nodejs'];

function versionOf(pulumi) {
  try {
    return execFileSync(pulumi, ['version'], { encoding: 'utf8', env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true' } }).trim();
  } catch {
    return undefined;
  }
}

function complete(dir) {
  return NEEDED.every((b) => fs.existsSync(path.join(dir, b))) && versionOf(path.join(dir, 'pulumi')) === `v${PULUMI_VERSION}`;
}

function onPath() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'pulumi'))) return complete(dir) ? dir : undefined;
  }
  return undefined;
}

/** Returns the folder holding pulumi and its language hosts, building or installing it if needed. */
export async function ensureToolchain({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const found = onPath();
  if (found) return found;
  if (complete(CACHE_BIN)) return CACHE_BIN;
  if (fs.existsSync(BUILD_SCRIPT)) {
    log(`Building the Pulumi toolchain v${PULUMI_VERSION} from source with ${BUILD_SCRIPT} (first time: minutes)…`);
    const result = spawnSync('bash', [BUILD_SCRIPT, CACHE_BIN], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status === 0 && complete(CACHE_BIN)) return CACHE_BIN;
    throw new Error(`${BUILD_SCRIPT} failed (exit ${result.status}); see its output above.`);
  }
  log(`Installing the Pulumi CLI v${PULUMI_VERSION} through the Automation API…`);
  const { PulumiCommand } = await import('@pulumi/pulumi/automation/index.js');
  const root = path.dirname(CACHE_BIN);
  const { default: semver } = await import('semver');
  await PulumiCommand.install({ version: new semver.SemVer(PULUMI_VERSION), root });
  if (!complete(CACHE_BIN)) throw new Error(`the install into ${root} did not produce ${NEEDED.join(', ')}`);
  return CACHE_BIN;
}

/** The environment every test and local run uses: the toolchain and Node 24 first on PATH, no network. */
export function toolchainEnv(binDir, base = process.env) {
  return {
    ...base,
    PATH: [binDir, path.join(REPO, 'node_modules', '.bin'), base.PATH ?? ''].join(path.delimiter),
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureToolchain()
    .then((dir) => console.log(dir))
    .catch((err) => {
      console.error(`toolchain: ${err.message}`);
      process.exit(1);
    });
}
