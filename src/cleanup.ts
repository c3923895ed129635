// `cleanup`: destroys and removes the ephemeral stacks that have expired or whose pull request
// closed. Which ones is decided by ephemeral.ts's cleanupCandidates; this is the part that acts.
import { cleanupCandidates } from './ephemeral.js';
import * as log from './log.js';
import { throwIfCancelled, type RunContext } from './run-context.js';
import type { CleanupSettings } from './settings.js';
import { pulumiErrorMessage } from './workspace/engine.js';
import { prepare } from './workspace/prepare.js';
import { localWorkspace, projectStacks, PulumiStack } from './workspace/stack.js';

/** A stack `cleanup` removed, or tried to. */
export interface Removal {
  name: string;
  why: string;
  error?: string;
}

export async function cleanup(settings: CleanupSettings, context: RunContext): Promise<{ removed: Removal[]; examined: number }> {
  const { cli, programEnv, loginEnv } = await prepare(settings, settings.installDependencies, context);
  context.phase = 'stack';
  const options = {
    workDir: settings.workDir,
    pulumiCommand: (await cli).command,
    envVars: { ...programEnv, ...loginEnv, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
  };
  const workspace = await localWorkspace(options);
  const names = await projectStacks(options.pulumiCommand.command, settings.workDir, options.envVars, settings.org);
  // With `org`, every call names the stack in full: that organization's, whatever the CLI's default.
  const qualified = (name: string) => (settings.org ? `${settings.org}/${settings.project.name}/${name}` : name);
  const tagged = await Promise.all(names.map(async (name) => ({ name, tags: await workspace.listTags(qualified(name)) })));
  const doomed = cleanupCandidates(tagged, settings.ephemeralStacks, new Date(), settings.closedPullRequest);

  context.phase = 'operation';
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

  return { removed, examined: names.length };
}

/** Why the step fails: a stack that could not be removed. */
export function cleanupFailure(removed: readonly Removal[]): string | undefined {
  const failed = removed.filter((r) => r.error);
  return failed.length > 0 ? `could not remove ${failed.map((f) => `${f.name} (${f.error})`).join('; ')}` : undefined;
}
