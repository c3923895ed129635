// `install`: prepares a program without running it, so the workflow's own `run: pulumi …` steps
// after it start warm: the CLI on PATH, the program's dependencies, and the plugins and packages it
// needs (`pulumi install`), all through the Actions cache.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as log from '../base/log.js';
import { throwIfCancelled, type RunContext } from '../base/run-context.js';
import type { InstallSettings } from '../model/settings.js';
import { PulumiCommandError } from '../workspace/engine.js';
import { prepare } from '../workspace/prepare.js';
import { runProcess } from '../workspace/process.js';
import { findOnPath } from '../workspace/version-check.js';

export async function install(settings: InstallSettings, context: RunContext): Promise<void> {
  const { cli, programEnv, cache } = await prepare(settings, { dependencies: settings.installDependencies, plugins: true }, context);
  try {
    const pulumi = (await cli).command.command;
    throwIfCancelled(context.signal, 'before the plugins were installed');
    // The dependencies are the action's own step; the CLI adds what the program's packages name.
    const args = ['install', '--no-dependencies'];
    const result = await log.group(`pulumi ${args.join(' ')}`, () =>
      runProcess(pulumi, args, {
        cwd: settings.workDir,
        env: { ...process.env, ...programEnv, ...(path.isAbsolute(pulumi) ? { PATH: [path.dirname(pulumi), programEnv.PATH ?? process.env.PATH].join(path.delimiter) } : {}) },
        onLine: log.info,
        signal: context.signal,
        terminate: context.terminate,
      }),
    );
    PulumiCommandError.throwIfFailed(result);
    if (path.isAbsolute(pulumi) && !sameFile(findOnPath('pulumi', context.env.PATH ?? ''), pulumi)) {
      context.runner.addPath(path.dirname(pulumi));
      log.info(`${path.dirname(pulumi)} is on PATH for the job's later steps.`);
    }
  } finally {
    await cache.save();
  }
}

function sameFile(a: string | undefined, b: string): boolean {
  try {
    return a !== undefined && fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}
