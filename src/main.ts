// The pipeline: inputs -> plan -> workspace -> operation -> report. It only orchestrates: each
// stage decides in its own module, every failure ends here, in one setFailed with the phase it
// happened in and Pulumi's own words.
import * as log from './base/log.js';
import { watchCancellation, type RunContext, type StartedEarly } from './base/run-context.js';
import type { Runner } from './base/runner.js';
import { parseInputs } from './inputs/inputs.js';
import type { CommentSettings, Settings, StackSettings } from './model/settings.js';
import { planRun } from './plan/plan.js';
import { settingsForPrCommand } from './plan/pr-command.js';
import { prepare } from './workspace/prepare.js';
import { gitHubClient } from './workspace/github.js';
import { pulumiErrorMessage } from './workspace/engine.js';
import { MissingStackError, openStack, secretCrypter } from './workspace/stack.js';
import { checkApproval } from './operation/approvals.js';
import { cleanup, cleanupFailure } from './operation/cleanup.js';
import { detect } from './operation/detect.js';
import { install } from './operation/install.js';
import { operate } from './operation/operation.js';
import { admitPrCommand, finishPrCommand, gitHubPrCommandIo, replyToCommand } from './operation/pr-command-admission.js';
import { Redactor } from './operation/redact.js';
import { unlock } from './operation/unlock.js';
import { buildReport, failureOf } from './report/build.js';
import { publishCleanup, publishDetect, publishPrCommand, publishReport, publishUnlock } from './report/publish.js';

/** `runner`: the channels the entry point took from the environment, which no longer has them. */
export async function run(runner: Runner, started: StartedEarly = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const cancellation = watchCancellation();
  const context: RunContext = { phase: 'inputs', signal: cancellation.signal, terminate: cancellation.terminate, env, runner, ...started };
  let failure: string | undefined;
  try {
    const settings = parseInputs(runner.input, env);
    const failed = await command(settings, context);
    if (failed) failure = `operation: ${failed}`;
  } catch (err) {
    failure = `${err instanceof MissingStackError ? 'stack' : context.phase}: ${pulumiErrorMessage(err)}`;
  } finally {
    cancellation.dispose();
  }
  if (failure) log.setFailed(failure);
}

/** Runs the command; says why the step fails, if it does. */
async function command(settings: Settings, context: RunContext): Promise<string | undefined> {
  switch (settings.command) {
    case 'detect': {
      const detected = await detect(settings, context);
      context.phase = 'report';
      publishDetect(detected, settings.jobSummary, context.runner);
      return undefined;
    }
    case 'cleanup': {
      const cleaned = await cleanup(settings, context);
      context.phase = 'report';
      publishCleanup(cleaned, settings.jobSummary, context.runner);
      return cleanupFailure(cleaned.removed, cleaned.released);
    }
    case 'comment':
      return prCommand(settings, context);
    case 'install':
      await install(settings, context);
      return undefined;
    default:
      return (await stackCommand(settings, context)).failure;
  }
}

/**
 * `comment`: the command a pull request comment gives, once admitted (who commented, which stack,
 * the apply requirements, the checked-out head), run as any other. A comment that is no command, or
 * one refused with a reply, leaves the step green: the reply is the answer.
 */
async function prCommand(settings: CommentSettings, context: RunContext): Promise<string | undefined> {
  context.phase = 'plan';
  const { owner, repo } = settings.github.repository!;
  const io = gitHubPrCommandIo(await gitHubClient(settings.comment.token!, settings.github.apiUrl), owner, repo, settings.workDir);
  const admission = await admitPrCommand(settings.event, { stacks: settings.stacks, ...settings.prCommand }, io, log.warning);
  if (admission.kind !== 'admitted') {
    log.info(admission.kind === 'ignored' ? `No command to run: ${admission.reason}` : `The command was refused: ${admission.reply}`);
    publishPrCommand(context.runner);
    return undefined;
  }
  const { command, stack, headSha } = admission;
  if (command.command === 'unlock') {
    publishPrCommand(context.runner, { command: command.command, headSha: '' });
    let released = false;
    try {
      const unlocked = await unlock(settings, command, stack, io, context);
      context.phase = 'report';
      publishUnlock(unlocked.lock, settings.jobSummary, context.runner);
      released = unlocked.released;
    } finally {
      await finishPrCommand(command, released, io, log.warning);
    }
    return undefined;
  }
  log.info(`Running /pulumi ${command.command} on stack ${stack}, for ${command.commenter}, at ${headSha}.`);
  publishPrCommand(context.runner, { command: command.command, headSha: headSha! });
  let failure: string | undefined = 'it stopped with an error';
  try {
    const ran = await stackCommand(settingsForPrCommand(settings, command.command, stack, command.pullNumber, headSha!), context);
    if (ran.lockRefusal) await replyToCommand(command, ran.lockRefusal, io, log.warning);
    failure = ran.failure;
    return failure;
  } finally {
    await finishPrCommand(command, failure === undefined, io, log.warning);
  }
}

/** How a stack command ended: why the step fails, if it does, and the reply a lock's refusal makes. */
interface StackRun {
  failure?: string;
  /** Another pull request holds the stack: the reply for a comment command. */
  lockRefusal?: string;
}

async function stackCommand(settings: StackSettings, context: RunContext): Promise<StackRun> {
  const redactor = new Redactor(log.setSecret).add(settings.config.filter((c) => c.secret).map((c) => c.value));

  context.phase = 'plan';
  const plan = planRun(settings, settings.requireApproval ? await checkApproval(settings, settings.requireApproval) : undefined);
  if (plan.refusal && plan.steps.length === 0) throw new Error(plan.refusal);

  const crypter = secretCrypter(settings, context.env, context.keyDerivation);
  const { cli, programEnv, loginEnv, cache } = await prepare(settings, { dependencies: plan.needsDependencies, plugins: plan.needsPlugins }, context);
  try {
    context.phase = 'stack';
    const stack = openStack(settings, (await cli).command, { ...programEnv, ...loginEnv }, plan.mayCreateStack);
    const operated = await operate(stack, settings, plan, crypter, redactor, context);

    context.phase = 'report';
    const report = buildReport(settings, operated.plan, operated.outcome, { stackRef: await stack.ref, lock: operated.lock });
    await publishReport(report, settings, redactor, context.runner);
    return { failure: failureOf(report, settings), lockRefusal: operated.lockRefusal };
  } finally {
    // What the run installed is worth keeping whatever the operation did; the cache never fails a run.
    await cache.save();
  }
}
