// `cleanup`: destroys and removes the ephemeral stacks that have expired or whose pull request
// closed, and releases the closed pull request's locks on every stack. Which stacks go is decided by
// ephemeral.ts's cleanupCandidates; this is the part that acts.
import { cleanupCandidates } from '../model/ephemeral.js';
import * as log from '../base/log.js';
import { lockTag } from '../plan/pr-lock.js';
import { throwIfCancelled, type RunContext } from '../base/run-context.js';
import type { CleanupSettings } from '../model/settings.js';
import { pulumiErrorMessage } from '../workspace/engine.js';
import { prepare } from '../workspace/prepare.js';
import type { ResolvedCli } from '../workspace/pulumi-cli.js';
import { localWorkspace, projectStacks, PulumiStack } from '../workspace/stack.js';

/** A stack `cleanup` removed, or tried to. */
export interface Removal {
  name: string;
  why: string;
  error?: string;
}

/** A stack whose lock the closed pull request held, released by `cleanup`, or not. */
export interface Release {
  name: string;
  pullNumber: number;
  error?: string;
}

interface Cleaned {
  removed: Removal[];
  examined: number;
  released: Release[];
}

export async function cleanup(settings: CleanupSettings, context: RunContext): Promise<Cleaned> {
  const { cli, programEnv, loginEnv, cache } = await prepare(settings, { dependencies: settings.installDependencies, plugins: true }, context);
  try {
    return await removeStacks(settings, context, await cli, { ...programEnv, ...loginEnv });
  } finally {
    await cache.save();
  }
}

async function removeStacks(settings: CleanupSettings, context: RunContext, cli: ResolvedCli, env: Record<string, string>): Promise<Cleaned> {
  context.phase = 'stack';
  const options = {
    workDir: settings.workDir,
    pulumiCommand: cli.command,
    envVars: { ...env, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
  };
  const workspace = await localWorkspace(options);
  const names = await projectStacks(options.pulumiCommand.command, settings.workDir, options.envVars, settings.org);
  // With `org`, every call names the stack in full: that organization's, whatever the CLI's default.
  const qualified = (name: string) => (settings.org ? `${settings.org}/${settings.project.name}/${name}` : name);
  const tagged = await Promise.all(names.map(async (name) => ({ name, tags: await workspace.listTags(qualified(name)) })));
  const doomed = cleanupCandidates(tagged, settings.ephemeralStacks, new Date(), settings.closedPullRequest);

  context.phase = 'operation';
  // A closed pull request holds no stack: its claims go, on every stack, whatever else cleanup does.
  const released: Release[] = [];
  const pullNumber = settings.closedPullRequest;
  const claim = pullNumber === undefined ? undefined : lockTag(pullNumber);
  for (const { name, tags } of tagged) {
    if (pullNumber === undefined || claim === undefined || !(claim in tags) || doomed.some((d) => d.name === name)) continue;
    try {
      await workspace.removeTag(name, claim);
      log.info(`Released the lock of pull request #${pullNumber} on stack ${name}.`);
      released.push({ name, pullNumber });
    } catch (err) {
      released.push({ name, pullNumber, error: pulumiErrorMessage(err) });
    }
  }

  const removed: Removal[] = [];
  for (const { name, why } of doomed) {
    throwIfCancelled(context.signal, `before removing ${name}`);
    try {
      const stack = new PulumiStack(options, qualified(name), Promise.resolve(name), false);
      await log.group(`pulumi destroy --remove ${name} (${why})`, () =>
        stack.run(['destroy', '--yes', '--skip-preview', '--remove', '--color', 'never'], {
          signal: context.signal,
          terminate: context.terminate,
          onOutput: log.info,
          onEvent: () => undefined,
        }),
      );
      removed.push({ name, why });
    } catch (err) {
      removed.push({ name, why, error: pulumiErrorMessage(err) });
    }
  }

  return { removed, examined: names.length, released };
}

/** Why the step fails: a stack that could not be removed, or whose lock could not be released. */
export function cleanupFailure(removed: readonly Removal[], released: readonly Release[]): string | undefined {
  const failed = [
    ...removed.filter((r) => r.error).map((f) => `could not remove ${f.name} (${f.error})`),
    ...released.filter((r) => r.error).map((f) => `could not release the lock of #${f.pullNumber} on ${f.name} (${f.error})`),
  ];
  return failed.length > 0 ? failed.join('; ') : undefined;
}
