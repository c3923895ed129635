// Stage 3's first half: the program's dependencies, while the CLI lookup and the OIDC login run beside them.
import * as log from '../log.js';
import type { StackSettings } from '../settings.js';
import { throwIfCancelled, type RunContext } from '../run-context.js';
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
}

/** What the dependencies and the CLI lookup need: every stack command's settings, and `cleanup`'s. */
export type PrepareSettings = Pick<StackSettings, 'pulumiVersion' | 'workDir' | 'project' | 'oidcLogin'>;

export async function prepare(settings: PrepareSettings, needsDependencies: boolean, context: RunContext): Promise<Prepared> {
  const cli = resolvePulumiCli(settings.pulumiVersion, context.env, context.versionCheck).then((resolved) => {
    log.info(`Pulumi CLI v${resolved.command.version?.version ?? '?'} from ${resolved.source}`);
    return resolved;
  });
  cli.catch(() => undefined);
  const login = settings.oidcLogin ? oidcLogin(settings.oidcLogin, context.env) : Promise.resolve({});
  login.catch(() => undefined);
  context.phase = 'dependencies';
  const programEnv = await prepareDependencies(settings, needsDependencies, context);
  context.phase = 'login';
  const loginEnv = await login;
  throwIfCancelled(context.signal, 'before the stack was touched');
  return { cli, programEnv, loginEnv };
}

async function prepareDependencies(settings: PrepareSettings, needed: boolean, context: RunContext): Promise<Record<string, string>> {
  if (!needed) return installedEnv(settings.workDir, settings.project, context.env);
  const deps = planDependencies(settings.workDir, settings.project, context.env);
  if (!deps) return {};
  const found = await locateInstall(deps, settings.workDir, context.signal);
  if (found && isUpToDate(deps, found)) {
    log.info(`${deps.description}: up to date, reused`);
    return found.env;
  }
  const installed = await log.group(`Dependencies: ${deps.description}`, () =>
    installDependencies(deps, settings.workDir, log.info, context.signal, found),
  );
  return installed.env;
}
