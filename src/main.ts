// The pipeline: inputs -> plan -> workspace -> operation -> report. It only orchestrates: each
// stage decides in its own module, every failure ends here, in one setFailed with the phase it
// happened in and Pulumi's own words.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { cleanup, cleanupFailure } from './cleanup.js';
import { STACK_COMMAND_RECORDS } from './commands.js';
import { detect } from './detect.js';
import { EPHEMERAL_TAGS } from './ephemeral.js';
import { gitHubClient, gitHubFailure, runApprovals } from './github.js';
import { install } from './install.js';
import { parseInputs, settingsForPrCommand } from './inputs.js';
import * as log from './log.js';
import { runSteps } from './operation.js';
import { approvalGate, planRun, refusedByLock, type GateDecision, type Plan } from './plan.js';
import { admitPrCommand, finishPrCommand, gitHubPrCommandIo, replyToCommand, type PrCommandIo } from './pr-command-admission.js';
import type { PrCommand } from './pr-command.js';
import { lockMode, lockRefusal, unlockReply, unlockStep } from './pr-lock.js';
import { StackLock, stackLockIo, type Hold } from './pr-lock-claim.js';
import { buildReport, failureOf } from './report/build.js';
import { publishCleanup, publishDetect, publishPrCommand, publishReport, publishUnlock } from './report/publish.js';
import { Redactor } from './report/redact.js';
import type { Cancellation, RunContext, StartedEarly } from './run-context.js';
import type { Runner } from './runner.js';
import type { CommentSettings, Settings, StackSettings } from './settings.js';
import { prepare } from './workspace/prepare.js';
import { pulumiErrorMessage } from './workspace/engine.js';
import { applyConfig, MissingStackError, openStack, secretCrypter, type PulumiStack } from './workspace/stack.js';

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
      released = await unlock(settings, command, stack, io, context);
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

/**
 * `/pulumi unlock [stack]`: releases the lock of the pull request it is commented on, or replies
 * naming the pull request that holds the stack, as any refused command is answered (the step stays
 * green). It runs no code: no dependencies, no program. Says whether the stack is free of the pull
 * request's lock now.
 */
async function unlock(settings: CommentSettings, command: PrCommand, stack: string, io: PrCommandIo, context: RunContext): Promise<boolean> {
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
  context.phase = 'report';
  publishUnlock(lock.report(), settings.jobSummary, context.runner);
  return step.kind !== 'held-by-other';
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
    if (STACK_COMMAND_RECORDS[settings.command].ephemeral) await tagEphemeralStack(stack, settings);
    return await runOnStack(stack, settings, plan, crypter, redactor, context);
  } finally {
    // What the run installed is worth keeping whatever the operation did; the cache never fails a run.
    await cache.save();
  }
}

async function runOnStack(stack: PulumiStack, settings: StackSettings, plan: Plan, crypter: ReturnType<typeof secretCrypter>, redactor: Redactor, context: RunContext): Promise<StackRun> {
  const mode = lockMode(settings.command, settings.ephemeral, settings.pullRequest !== undefined, plan.refusal !== undefined);
  const lockIo = stackLockIo(stack, { ...settings.github, token: settings.comment.token }, context.signal);
  const lock = mode === 'none' ? undefined : new StackLock(lockIo, settings.stack, settings.pullRequest?.number, log.warning, closedPullRequests(settings));
  let hold: Hold | undefined;
  let lockReplyText: string | undefined;
  let lookedAt: Promise<unknown> | undefined;
  if (lock && mode === 'claim') {
    hold = await lock.hold();
    if (!hold.holds) {
      const refusal = lockRefusal(settings.stack, settings.command, hold.holder);
      plan = refusedByLock(plan, refusal.message);
      lockReplyText = refusal.reply;
    }
  } else if (lock) {
    // Only reported (and claims of closed pull requests released): it runs beside the operation.
    lookedAt = lock.inspect().catch((err: unknown) => log.warning(`Could not read the stack's pull-request lock: ${pulumiErrorMessage(err)}`));
  }

  context.phase = 'config';
  if (plan.steps.length > 0) await applyConfig(stack, settings, crypter);

  context.phase = 'operation';
  const outcome = await runSteps(stack, settings, plan, context, redactor);
  await lookedAt;
  // A gate that refused after the claim (deletes-need-approval) applied nothing: the claim goes too.
  if (lock && hold?.holds && hold.claimed && outcome.refusal) {
    await lock.release().catch((err: unknown) => log.warning(`Could not release the lock this run claimed: ${pulumiErrorMessage(err)}`));
  }

  context.phase = 'report';
  const planDigest = settings.planFile && fs.existsSync(settings.planFile) ? sha256(settings.planFile) : undefined;
  const report = buildReport(settings, plan, outcome, { stackRef: await stack.ref, planDigest, ...(lock ? { lock: lock.report() } : {}) });
  await publishReport(report, settings, redactor, context.runner);
  return { failure: failureOf(report, settings), ...(lockReplyText ? { lockRefusal: lockReplyText } : {}) };
}

/** Pull requests known closed without asking GitHub: a `pull_request: closed` event's. */
function closedPullRequests(settings: StackSettings): number[] {
  return settings.github.closedPullRequest === undefined ? [] : [settings.github.closedPullRequest];
}

async function checkApproval(settings: StackSettings, environment: string): Promise<GateDecision> {
  const { repository, runId, actor, triggeringActor, apiUrl } = settings.github;
  // parseInputs made sure these are set whenever require-approval is.
  try {
    const github = await gitHubClient(settings.comment.token!, apiUrl);
    return approvalGate(await runApprovals(github, repository!.owner, repository!.repo, runId!), environment, [actor, triggeringActor]);
  } catch (err) {
    return { allowed: false, reason: `Could not read this run's approvals (${gitHubFailure(err)}): give the job 'actions: read'.` };
  }
}

/** Tags that let `cleanup` find the stack later, should this run die before tearing it down. */
async function tagEphemeralStack(stack: PulumiStack, settings: StackSettings): Promise<void> {
  const now = new Date();
  const tags: Record<string, string | undefined> = {
    [EPHEMERAL_TAGS.marker]: 'true',
    [EPHEMERAL_TAGS.created]: now.toISOString(),
    [EPHEMERAL_TAGS.expires]: new Date(now.getTime() + settings.smoke.ttlMs).toISOString(),
    [EPHEMERAL_TAGS.pullRequest]: settings.comment.issueNumber?.toString(),
    [EPHEMERAL_TAGS.commit]: settings.github.sha,
  };
  for (const [key, value] of Object.entries(tags)) if (value) await stack.setTag(key, value);
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The runner sends SIGINT on cancel, SIGTERM 7.5 s later, then kills. The first signal asks the
 * engine to stop gracefully (the CLI gets one SIGINT): it finishes the operations in flight, writes
 * the state and releases the lock. The second is for an operation that outlasts the runner's
 * deadline: the engine is told to terminate, killed if it does not, and its lock removed.
 */
function watchCancellation(): Cancellation & { dispose: () => void } {
  const cancel = new AbortController();
  const terminate = new AbortController();
  const onSignal = (name: string) => {
    if (!cancel.signal.aborted) {
      log.warning(`Received ${name}: asking the Pulumi engine to stop gracefully.`);
      cancel.abort();
    } else if (!terminate.signal.aborted) {
      log.warning(`Received ${name} again: terminating the Pulumi engine before the runner kills this step.`);
      terminate.abort();
    }
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: cancel.signal,
    terminate: terminate.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
