// Which version the `pulumi` on PATH is. The entry point starts this before the rest of the action
// has loaded, so it imports nothing else of the action's but the build info reader.
//
// A Pulumi CLI built by Go names its version in its build information, which is read from the file
// (go-build-info.ts) in well under a millisecond. Otherwise (a wrapper script, a shim, a build that
// does not say) the binary runs `pulumi version` once, through the Automation API's
// PulumiCommand.get, and that answer is kept per binary, keyed by the file's identity (device,
// inode, size, modification and change times), so the next run on the machine (the next step of a
// job, the next job on a self-hosted runner) starts its operation without it: replacing or
// rewriting the binary changes the key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as automationCmd from '@pulumi/pulumi/automation/cmd.js';
import * as automationMinimum from '@pulumi/pulumi/automation/minimumVersion.js';
import semver from 'semver';
import type { VersionCheck } from '../base/run-context.js';
import { readGoBuildInfo, type GoBuildInfo } from './go-build-info.js';

const { PulumiCommand } = automationCmd;
type PulumiCommand = automationCmd.PulumiCommand;

type Env = Record<string, string | undefined>;

/** Starts the check of the `pulumi` on PATH, if there is one. */
export function startVersionCheck(env: Env = process.env): VersionCheck | undefined {
  const onPath = findOnPath('pulumi', env.PATH ?? '');
  return onPath ? versionCheck(onPath, env) : undefined;
}

export function versionCheck(binary: string, env: Env = process.env): VersionCheck {
  const root = binRoot(binary);
  const cacheFile = versionCacheFile(binary, env);
  const remembered = cacheFile ? readVersion(cacheFile) : undefined;
  const built = remembered ? undefined : builtVersion(binary);
  const command =
    remembered || built
      ? Promise.resolve().then(() => commandOf(root ? path.resolve(binary) : 'pulumi', remembered ?? checked(built!, env)))
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

// The Automation API's own check of a version string, as PulumiCommand.get makes it (the major
// version the SDK works with, its minimum CLI version). Exported by its modules, not by its types.
const { parseAndValidatePulumiVersion } = automationCmd as unknown as {
  parseAndValidatePulumiVersion?: (minimum: semver.SemVer, version: string, optOut: boolean) => semver.SemVer;
};
const { minimumVersion } = automationMinimum as unknown as { minimumVersion?: semver.SemVer };

/** The version the binary's build information names, where the SDK's check of it is at hand. */
function builtVersion(binary: string): string | undefined {
  const info = parseAndValidatePulumiVersion && minimumVersion ? readGoBuildInfo(binary) : undefined;
  return info && pulumiVersionOf(info);
}

function checked(version: string, env: Env): semver.SemVer {
  return parseAndValidatePulumiVersion!(minimumVersion!, version, !!env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK);
}

const VERSION_VARIABLE = /-X[= ]["']?github\.com\/pulumi\/pulumi\/(sdk\/v3\/go\/common|pkg\/v3)\/version\.Version=([^\s"']+)/g;

/**
 * What `pulumi version` prints, from the build information of a Pulumi CLI binary: the value the
 * linker gave the version variable (`-X …/version.Version=v3.x.y` in `-ldflags`; the variable moved
 * from pkg to sdk, and the CLI prints sdk's where both are set). A build with -trimpath leaves
 * `-ldflags` out; there it is the released version of the module the binary was built from, as
 * `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v3.x.y` makes it. Anything else: unknown.
 */
function pulumiVersionOf(info: GoBuildInfo): string | undefined {
  if (info.path !== 'github.com/pulumi/pulumi/pkg/v3/cmd/pulumi') return undefined;
  const ldflags = info.settings.get('-ldflags');
  if (ldflags !== undefined) {
    const set = new Map([...ldflags.matchAll(VERSION_VARIABLE)].map((m) => [m[1]!, m[2]!]));
    return set.get('sdk/v3/go/common') ?? set.get('pkg/v3');
  }
  const { module } = info;
  const released = module?.path === 'github.com/pulumi/pulumi/pkg/v3' && /^v\d+\.\d+\.\d+$/.test(module.version);
  return info.settings.get('-trimpath') === 'true' && released ? module.version : undefined;
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
