// Finds or installs the `pulumi` CLI once per run; every workspace then shares the same PulumiCommand,
// so the version is checked exactly once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';
import type { PulumiCommand } from '@pulumi/pulumi/automation/cmd.js';
import semver from 'semver';
import { PINNED_PULUMI_VERSION } from '../model/settings.js';
import { ChecksumError, installRelease } from './pulumi-install.js';
import type { VersionCheck } from '../base/run-context.js';
import { findOnPath, versionCheck } from './version-check.js';

type Env = Record<string, string | undefined>;

export interface ResolvedCli {
  command: PulumiCommand;
  /** Where it came from, for the log: a path, the tool cache, or an install. */
  source: string;
}

/** Where an installed CLI is kept between jobs (the Actions cache): a version's folder, and the tool cache's mark that it is whole. */
export interface CliCache {
  /** True when the version's folder is now in place. */
  restore(version: string, root: string, marker?: string): Promise<boolean>;
  installed(version: string, root: string, marker?: string): void;
}

/**
 * `early`: the check the entry point started for the `pulumi` on PATH, taken over instead of run
 * again. `cache`: tried before a download, and given what was downloaded.
 */
export async function resolvePulumiCli(range: string, env: Env = process.env, early?: VersionCheck, cache?: CliCache): Promise<ResolvedCli> {
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

  // @actions/tool-cache reads RUNNER_TOOL_CACHE from process.env, which is `env` in the action.
  const toolCache = env.RUNNER_TOOL_CACHE;
  if (toolCache) {
    const cached = tc.find('pulumi', range);
    if (cached) {
      const found = await tryCommand(path.join(cached, 'bin', 'pulumi'), cached);
      if (found) return { command: found, source: `tool cache (${cached})` };
    } else {
      tried.push(`no version matching ${range} in the tool cache ${toolCache}`);
    }
  }

  const version = versionToInstall(range);
  // Without a tool cache, where PulumiCommand.install used to put it, and reused from there.
  const home = path.join(os.homedir(), '.pulumi', 'versions', version);
  if (!toolCache && fs.existsSync(path.join(home, 'bin', 'pulumi'))) {
    const found = await tryCommand(path.join(home, 'bin', 'pulumi'), home);
    if (found) return { command: found, source: home };
  }
  // Where installRelease puts it (@actions/tool-cache's layout: <cache>/<tool>/<version>/<arch>, whole once <folder>.complete exists).
  const place = toolCache ? path.join(toolCache, 'pulumi', version, os.arch()) : home;
  const marker = toolCache ? `${place}.complete` : undefined;
  if (await cache?.restore(version, place, marker)) {
    const found = await tryCommand(path.join(place, 'bin', 'pulumi'), `${place} from the Actions cache`);
    if (found) return { command: found, source: `the Actions cache, restored into ${place}` };
  }
  try {
    const installed = await installRelease(version, home, env);
    const found = await tryCommand(path.join(installed.root, 'bin', 'pulumi'), `the installed ${installed.root}`);
    if (found) cache?.installed(version, installed.root, toolCache ? `${installed.root}.complete` : undefined);
    if (found) return { command: found, source: `${installed.source}, installed into ${installed.root}` };
  } catch (err) {
    // A download that is not the release is reported as such, not as one more place that had no CLI.
    if (err instanceof ChecksumError) throw err;
    tried.push(`installing v${version} failed: ${firstLine(err)}`);
  }
  throw new Error(
    `No Pulumi CLI matching '${range}' could be found or installed (${tried.join('; ')}): ` +
      `put a matching pulumi on PATH before this step (for example with pulumi/actions/setup or your own install), or change 'pulumi-version'.`,
  );
}

/** An exact version installs as given; for a range the pinned version if it fits, else the range's lowest. */
export function versionToInstall(range: string): string {
  const exact = semver.valid(semver.clean(range) ?? '');
  if (exact) return exact;
  if (semver.satisfies(PINNED_PULUMI_VERSION, range)) return PINNED_PULUMI_VERSION;
  return semver.minVersion(range)?.version ?? PINNED_PULUMI_VERSION;
}

function firstLine(err: unknown): string {
  return (
    (err instanceof Error ? err.message : String(err))
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? 'unknown error'
  );
}
