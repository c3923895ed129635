// Stage 3's first half: the program's dependencies and Pulumi's plugins, from the Actions cache
// where it holds them, while the CLI lookup and the OIDC login run beside them.
import * as log from '../base/log.js';
import type { StackSettings } from '../model/settings.js';
import { throwIfCancelled, type RunContext } from '../base/run-context.js';
import { ActionsCache } from './cache.js';
import { installDependencies, installedEnv, isUpToDate, locateInstall, planDependencies } from './dependencies.js';
import { resolvePulumiCli, type ResolvedCli } from './pulumi-cli.js';
import { oidcLogin } from './pulumi-login.js';

export interface Prepared {
  /** Awaited where the stack is opened, so a failed lookup is reported in the 'stack' phase. */
  cli: Promise<ResolvedCli>;
  /** Environment the program needs to find its dependencies. */
  programEnv: Record<string, string>;
  /** Environment the CLI needs to use the token an OIDC login issued; empty without `oidc-login`. */
  loginEnv: Record<string, string>;
  /** What this run installed, for the Actions cache: `cache.save()` once the run is done. */
  cache: ActionsCache;
}

/** What a command needs before it runs: the program's dependencies installed, and the plugins it loads. */
export interface Needs {
  dependencies: boolean;
  plugins: boolean;
}

/** What the dependencies, the cache and the CLI lookup need: every stack command's settings, `cleanup`'s and `install`'s. */
export type PrepareSettings = Pick<StackSettings, 'pulumiVersion' | 'workDir' | 'project' | 'oidcLogin' | 'workspace' | 'runnerTemp' | 'github' | 'cache'>;

export async function prepare(settings: PrepareSettings, needs: Needs, context: RunContext): Promise<Prepared> {
  const cache = new ActionsCache({ settings, context });
  const cli = resolvePulumiCli(settings.pulumiVersion, context.env, context.versionCheck, cache.cli).then((resolved) => {
    log.info(`Pulumi CLI v${resolved.command.version?.version ?? '?'} from ${resolved.source}`);
    return resolved;
  });
  cli.catch(() => undefined);
  const login = settings.oidcLogin ? oidcLogin(settings.oidcLogin, context.env) : Promise.resolve({});
  login.catch(() => undefined);
  context.phase = 'dependencies';
  // Before the CLI runs anything, which would download what the cache holds.
  const plugins = needs.plugins ? cache.restorePlugins(settings.workDir) : Promise.resolve();
  try {
    const programEnv = await prepareDependencies(settings, needs.dependencies, context, cache);
    await plugins;
    context.phase = 'login';
    const loginEnv = await login;
    throwIfCancelled(context.signal, 'before the stack was touched');
    return { cli, programEnv, loginEnv, cache };
  } finally {
    await plugins.catch(() => undefined);
    await cache.finishRestores();
  }
}

async function prepareDependencies(settings: PrepareSettings, needed: boolean, context: RunContext, cache: ActionsCache): Promise<Record<string, string>> {
  if (!needed) return installedEnv(settings.workDir, settings.project, context.env);
  const deps = await planDependencies(settings.workDir, settings.project, context.env, context.signal);
  if (!deps) return {};
  // A new machine has no answer of poetry's remembered, and the cache may hold it: poetry (a second
  // to start) is asked only where the cache cannot answer.
  let found = await locateInstall(deps, settings.workDir, context.signal, !cache.restores);
  if (found && isUpToDate(deps, found)) {
    log.info(`${deps.description}: up to date, reused`);
    return found.env;
  }
  const restored = await cache.restoreDependencies(deps);
  found = found ?? (await locateInstall(deps, settings.workDir, context.signal));
  if (restored && found && isUpToDate(deps, found)) return found.env;
  const installed = await log.group(`Dependencies: ${deps.description}`, () => installDependencies(deps, settings.workDir, log.info, context.signal, found));
  cache.installed(deps, installed);
  return installed.env;
}
