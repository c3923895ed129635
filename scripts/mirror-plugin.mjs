#!/usr/bin/env node
// A real Pulumi provider plugin for the tests of plugin downloads and the Actions cache
// (__tests__/fixtures/mirror-plugin, built with the Pulumi Go SDK from the Go module proxy: Pulumi's
// own providers are not served there), packed as Pulumi publishes plugins,
// `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz` with the binary at its root. Built once per
// source into a cache outside the repository (~/.cache/pulumi-stack-action), about a minute and a
// half the first time.
//
//   node scripts/mirror-plugin.mjs   builds it when needed and prints the archive's path
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastLines } from './go-tool.mjs';

export const MIRROR_PLUGIN = { name: 'mirrortest', version: '1.0.0' };
const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '__tests__', 'fixtures', 'mirror-plugin');
const GO_OS = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const GO_ARCH = { x64: 'amd64', arm64: 'arm64' };

/** The file name Pulumi's CLI downloads the plugin as, on this machine. */
export function mirrorPluginArchiveName() {
  return `pulumi-resource-${MIRROR_PLUGIN.name}-v${MIRROR_PLUGIN.version}-${GO_OS[process.platform]}-${GO_ARCH[process.arch]}.tar.gz`;
}

/** Returns the archive's path, building the plugin first when this source has not been built. */
export function ensureMirrorPlugin({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(SOURCE, file)));
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pulumi-stack-action', `mirror-plugin-${hash.digest('hex').slice(0, 16)}`);
  const archive = path.join(dir, mirrorPluginArchiveName());
  if (fs.existsSync(archive)) return archive;
  log(`Building the test plugin pulumi-resource-${MIRROR_PLUGIN.name} into ${dir} (first time: about 90 s)…`);
  fs.mkdirSync(dir, { recursive: true });
  // Built and packed in a private folder, the archive renamed into place: a run beside this one
  // never reads half an archive.
  const staging = fs.mkdtempSync(path.join(dir, '.build-'));
  const run = (command, args, cwd) => {
    const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CGO_ENABLED: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.error || result.status !== 0) throw new Error(`'${command} ${args.join(' ')}' failed (exit ${result.status}): ${result.error?.message ?? lastLines(result.stderr)}`);
  };
  try {
    const binary = `pulumi-resource-${MIRROR_PLUGIN.name}`;
    run('go', ['build', '-trimpath', '-ldflags', `-s -w -X main.version=${MIRROR_PLUGIN.version}`, '-o', path.join(staging, binary), '.'], SOURCE);
    run('tar', ['-czf', path.join(staging, 'plugin.tar.gz'), '-C', staging, binary], staging);
    fs.renameSync(path.join(staging, 'plugin.tar.gz'), archive);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return archive;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureMirrorPlugin());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  }
}
