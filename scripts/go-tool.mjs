// Go tools the tests use (actionlint, nektos/act), built from the Go module proxy: our machines and
// CI reach package registries only, not GitHub's release downloads. Each is built once per version
// into a cache outside the repository (~/.cache/<name>/<version>), so only a machine's first run
// pays for the build.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function lastLines(text, count = 20) {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** Where the binary `name` at `version` lives once built; `folder` names its cache folder. */
export function goToolPath(name, version, folder = name) {
  return path.join(os.homedir(), '.cache', folder, version, name);
}

/**
 * Returns the path of the tool's binary, building it with `go install module@version` when it is
 * not cached (in `folder`, default the name). `about` says how long a first build takes, for the log.
 */
export function ensureGoTool({ name, module, version, folder, about, log = (line) => process.stderr.write(`${line}\n`) }) {
  const bin = goToolPath(name, version, folder);
  if (fs.existsSync(bin)) return bin;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    const why = go.error ? go.error.message : lastLines(go.stderr ?? '');
    throw new Error(`${name} ${version} is built from source and needs Go 1.21 or later on PATH ('go version' failed: ${why}); install Go and run again.`);
  }
  const dir = path.dirname(bin);
  log(`Building ${name} ${version} with ${go.stdout.trim()} into ${dir} (first time: ${about})…`);
  fs.mkdirSync(dir, { recursive: true });
  // Built into a private folder and renamed into place, so a run beside this one never starts a
  // half-written binary and two first runs at once both succeed.
  const staging = fs.mkdtempSync(path.join(dir, '.build-'));
  try {
    const build = spawnSync('go', ['install', `${module}@${version}`], {
      encoding: 'utf8',
      // CGO off: a static binary that needs no C compiler on the machine.
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (build.error || build.status !== 0) {
      const why = build.error ? build.error.message : lastLines(build.stderr);
      throw new Error(`'go install ${module}@${version}' failed (exit ${build.status}): ${why}`);
    }
    fs.renameSync(path.join(staging, name), bin);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}
