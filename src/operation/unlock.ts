// `/pulumi unlock [stack]`: releases the lock of the pull request it is commented on, or replies
// naming the pull request that holds the stack, as any refused command is answered (the step stays
// green). It runs no code: no dependencies, no program.
import * as log from '../base/log.js';
import type { RunContext } from '../base/run-context.js';
import type { LockReport } from '../model/pr-lock.js';
import type { PrCommand } from '../model/pr-command.js';
import type { CommentSettings } from '../model/settings.js';
import { unlockReply, unlockStep } from '../plan/pr-lock.js';
import { prepare } from '../workspace/prepare.js';
import { openStack } from '../workspace/stack.js';
import { replyToCommand, type PrCommandIo } from './pr-command-admission.js';
import { StackLock, stackLockIo } from './pr-lock-claim.js';

/** Whether the stack is free of the pull request's lock now, and what the report says of the lock. */
export async function unlock(settings: CommentSettings, command: PrCommand, stack: string, io: PrCommandIo, context: RunContext): Promise<{ released: boolean; lock: LockReport }> {
  const { cli, programEnv, loginEnv } = await prepare(settings.stackSettings, { dependencies: false, plugins: false }, context);
  context.phase = 'stack';
  const location = { ...settings.stackSettings, stack };
  const lockIo = stackLockIo(openStack(location, (await cli).command, { ...programEnv, ...loginEnv }, false), { ...settings.github, token: settings.comment.token }, context.signal);
  const lock = new StackLock(lockIo, stack, command.pullNumber, log.warning);
  const step = unlockStep(await lock.inspect());
  if (step.kind === 'release') {
    await lock.release();
    log.info(`Released the lock of pull request #${command.pullNumber} on stack ${stack}.`);
  } else if (step.kind === 'free') {
    log.info(`Stack ${stack} is not locked by any pull request: nothing to release.`);
  } else {
    log.info(`Stack ${stack} is locked by pull request #${step.holder.pullNumber}, not by #${command.pullNumber}: nothing released.`);
    await replyToCommand(command, unlockReply(stack, command.pullNumber, step.holder), io, log.warning);
  }
  return { released: step.kind !== 'held-by-other', lock: lock.report() };
}
