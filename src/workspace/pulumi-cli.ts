// Finds or gets the `pulumi` CLI once per run; every workspace then shares the same PulumiCommand,
// so the version is checked exactly once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PulumiCommand } from '@pulumi/pulumi/automation/cmd.js';
import semver from 'semver';
import { PINNED_PULUMI_VERSION } from '../inputs.js';
import { findOnPath, versionCheck, type VersionCheck } from './version-check.js';

type Env = Record<string, string | undefined>;

export interface ResolvedCli {
  command: PulumiCommand;
  /** Where it came from, for the log: a path, the tool cache, or an install. */
  source: string;
}

/** `early`: the check the entry point started for the `pulumi` on PATH, taken over instead of run again. */
export async function resolvePulumiCli(range: string, env: Env = process.env, early?: VersionCheck): Promise<ResolvedCli> {
  const tried: string[] = [];
  const tryCommand = async (binary: string, where: string): Promise<PulumiCommand | undefined> => {
    try {
      const command = await (early?.binary === binary ? early : versionCheck(binary, env)).command;
      const version = command.version?.version;
      if (version && semver.satisfies(version, range)) return command;
      tried.push(`${where} is v${version ?? 'unknown'}, outside '${range}'`);
    } catch (err) {
      tried.push(`${where} failed: ${firstLine(err)}`);
    }
    return undefined;
  };

  const onPath = findOnPath('pulumi', env.PATH ?? '');
  if (onPath) {
    const found = await tryCommand(onPath, onPath);
    if (found) return { command: found, source: onPath };
  } else {
    tried.push('no pulumi on PATH');
  }

  const toolCache = env.RUNNER_TOOL_CACHE;
  if (toolCache) {
    const cached = findInToolCache(toolCache, range);
    if (cached) {
      const found = await tryCommand(path.join(cached, 'bin', 'pulumi'), cached);
      if (found) return { command: found, source: `tool cache (${cached})` };
    } else {
      tried.push(`no version matching ${range} in the tool cache ${toolCache}`);
    }
  }

  const version = versionToInstall(range);
  const root = toolCache ? toolCacheDir(toolCache, version) : path.join(os.homedir(), '.pulumi', 'versions', version);
  try {
    const command = await PulumiCommand.install({ version: new semver.SemVer(version), root });
    if (toolCache) fs.writeFileSync(`${root}.complete`, '');
    return { command, source: `installed v${version} into ${root}` };
  } catch (err) {
    tried.push(`installing v${version} failed: ${firstLine(err)}`);
  }
  throw new Error(
    `No Pulumi CLI matching '${range}' could be found or installed (${tried.join('; ')}): ` +
      `put a matching pulumi on PATH before this step (for example with pulumi/actions/setup or your own install), or change 'pulumi-version'.`,
  );
}

/** The runner's tool cache lays tools out as <cache>/<tool>/<version>/<arch>, marked complete by <arch>.complete. */
function toolCacheDir(toolCache: string, version: string): string {
  return path.join(toolCache, 'pulumi', version, os.arch());
}

function findInToolCache(toolCache: string, range: string): string | undefined {
  let versions: string[];
  try {
    versions = fs.readdirSync(path.join(toolCache, 'pulumi'));
  } catch {
    return undefined;
  }
  const complete = versions.filter((v) => semver.valid(v) && fs.existsSync(`${toolCacheDir(toolCache, v)}.complete`));
  const best = semver.maxSatisfying(complete, range);
  return best ? toolCacheDir(toolCache, best) : undefined;
}

/** An exact version installs as given; for a range the pinned version if it fits, else the range's lowest. */
export function versionToInstall(range: string): string {
  const exact = semver.valid(semver.clean(range) ?? '');
  if (exact) return exact;
  if (semver.satisfies(PINNED_PULUMI_VERSION, range)) return PINNED_PULUMI_VERSION;
  return semver.minVersion(range)?.version ?? PINNED_PULUMI_VERSION;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n').find((l) => l.trim())?.trim() ?? 'unknown error';
}
