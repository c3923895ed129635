// The one `pulumi version` a run makes for the `pulumi` on PATH (through the Automation API's
// PulumiCommand.get). The entry point starts it before the rest of the action has loaded, so it
// imports nothing else of the action's.
//
// Its answer is kept per binary, keyed by the file's identity (device, inode, size, modification
// and change times), so the next run on the machine (the next step of a job, the next job on a
// self-hosted runner) starts its operation without it: replacing or rewriting the binary changes
// the key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PulumiCommand } from '@pulumi/pulumi/automation/cmd.js';
import semver from 'semver';

type Env = Record<string, string | undefined>;

/** A `pulumi version` started for a binary. */
export interface VersionCheck {
  binary: string;
  command: Promise<PulumiCommand>;
}

/** Starts the check of the `pulumi` on PATH, if there is one. */
export function startVersionCheck(env: Env = process.env): VersionCheck | undefined {
  const onPath = findOnPath('pulumi', env.PATH ?? '');
  return onPath ? versionCheck(onPath, env) : undefined;
}

export function versionCheck(binary: string, env: Env = process.env): VersionCheck {
  const root = binRoot(binary);
  const cacheFile = versionCacheFile(binary, env);
  const known = cacheFile && readVersion(cacheFile);
  const command = known
    ? Promise.resolve(commandOf(root ? path.resolve(binary) : 'pulumi', known))
    : PulumiCommand.get(root ? { root } : undefined).then((command) => {
        // A version the Automation API was told not to check is not worth remembering.
        if (cacheFile && command.version && !env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK) writeAtomically(cacheFile, command.version.version);
        return command;
      });
  // Started early, it may fail before anyone awaits it; whoever awaits it still sees the error.
  command.catch(() => undefined);
  return { binary, command };
}

/**
 * PulumiCommand.get, the public way to make one, always runs `pulumi version`. With the version
 * known, the class is constructed with what `get` would give it: the binary and its version.
 */
function commandOf(binary: string, version: semver.SemVer): PulumiCommand {
  const Construct = PulumiCommand as unknown as new (command: string, version: semver.SemVer) => PulumiCommand;
  return new Construct(binary, version);
}

function versionCacheFile(binary: string, env: Env): string | undefined {
  try {
    const stat = fs.statSync(binary, { bigint: true });
    const identity = [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join('-');
    const dir = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    return path.join(dir, 'pulumi-stack-action', `pulumi-${identity}.version`);
  } catch {
    return undefined;
  }
}

function readVersion(file: string): semver.SemVer | undefined {
  try {
    return semver.parse(fs.readFileSync(file, 'utf8').trim()) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A file of the action's cache, written aside and renamed, so a run reading it meanwhile sees all of
 * it or nothing. A failure is ignored: only the next run's speed is at stake.
 */
export function writeAtomically(file: string, text: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  } catch {
    // the cache stays as it was
  }
}

export function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** PulumiCommand.get wants the folder above `bin/pulumi`; a binary elsewhere runs by name. */
function binRoot(binary: string): string | undefined {
  const dir = path.dirname(binary);
  return path.basename(dir) === 'bin' ? path.dirname(dir) : undefined;
}
