// A JavaScript policy pack, ready to run: its dependencies (@pulumi/policy) installed with `npm ci`
// from its lockfile into a cache outside the repository, once per lockfile, and its own files
// copied beside them every time. The tests and the event recorder use it; nothing depends on the
// cache being there.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pulumi-stack-action', 'policy-packs');

/** The folder to pass as `--policy-pack`: `source`'s files with its dependencies installed. */
export function installedPolicyPack(source, { env = process.env, log = () => undefined } = {}) {
  const lock = fs.readFileSync(path.join(source, 'package-lock.json'));
  const dir = path.join(CACHE, `${path.basename(source)}-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(path.join(dir, 'node_modules', '@pulumi', 'policy'))) {
    log(`Installing the policy pack's dependencies into ${dir}…`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(source, dir, { recursive: true });
    const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm ci for the policy pack ${source} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  fs.cpSync(source, dir, { recursive: true });
  return dir;
}
