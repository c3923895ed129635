#!/usr/bin/env node
// The Pulumi Cloud stand-in the tests run the CLI and the action against (its Go source is in
// __tests__/support/pulumi-cloud/, which says what it serves). It is built with Go from the module
// cache or the Go module proxy, against the same Pulumi SDK version as the CLI, into a cache outside
// the repository (~/.cache/pulumi-stack-action/pulumi-cloud/<hash of the source>), so a machine
// builds each version of the source once.
//
//   node scripts/pulumi-cloud.mjs   builds it when needed and prints the binary's path
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lastLines } from './go-tool.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PULUMI_CLOUD_SOURCE = path.join(REPO, '__tests__', 'support', 'pulumi-cloud');
const NAME = 'pulumi-cloud-stand-in';

/** A digest of the source and of the Go that builds it: a change to either is a new build. */
function sourceDigest(go) {
  const hash = crypto.createHash('sha256').update(go);
  for (const file of fs.readdirSync(PULUMI_CLOUD_SOURCE).sort()) {
    if (/\.go$|^go\.(mod|sum)$/.test(file)) hash.update(file).update(fs.readFileSync(path.join(PULUMI_CLOUD_SOURCE, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Returns the stand-in's binary, building it when this source has not been built (about 30 s cold). */
export function ensurePulumiCloud({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error(`The Pulumi Cloud stand-in is built with Go, and 'go version' failed (${go.error?.message ?? lastLines(go.stderr ?? '')}): install Go and run again.`);
  }
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pulumi-stack-action', 'pulumi-cloud');
  const bin = path.join(cache, sourceDigest(go.stdout), NAME);
  if (fs.existsSync(bin)) return bin;
  log(`Building the Pulumi Cloud stand-in with ${go.stdout.trim()} into ${path.dirname(bin)} (first time: about 30 s)…`);
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  // Built to a private name and renamed into place, so two first runs at once both end well.
  const staging = `${bin}.${process.pid}`;
  const build = spawnSync('go', ['build', '-o', staging, '.'], {
    cwd: PULUMI_CLOUD_SOURCE,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (build.error || build.status !== 0) {
    fs.rmSync(staging, { force: true });
    throw new Error(`'go build' of the Pulumi Cloud stand-in failed (exit ${build.status}): ${build.error?.message ?? lastLines(build.stderr)}`);
  }
  fs.renameSync(staging, bin);
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensurePulumiCloud());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  }
}
