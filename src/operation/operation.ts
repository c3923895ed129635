// Stage 4: the operation on the opened stack. `operate` does what a stack command does to it: tags a
// throwaway stack for `cleanup`, takes the pull request's lock (pr-lock-claim.ts), writes the config,
// runs the planned steps, settles the lock. `runSteps` runs the steps (steps.ts says what each one
// runs): the engine's output streams into a log group per step, masked; its events are collected
// for the change model. Around the steps: lock retries, the repair of an interrupted update, the
// teardown that always runs, and what a cancellation leaves.
import * as os from 'node:os';
import type { EngineEvent, OutputMap } from '@pulumi/pulumi/automation/index.js';
import type { Step } from '../model/commands.js';
import * as log from '../base/log.js';
import type { Plan } from '../plan/plan.js';
import { changeSummaryFromEvents, urnName, type ChangeSummary, type LifecycleStep, type OutputCheck, type PolicyViolation } from '../model/changes.js';
import type { Redactor } from './redact.js';
import { throwIfCancelled, type Cancellation, type RunContext } from '../base/run-context.js';
import { STACK_COMMAND_RECORDS } from '../model/commands.js';
import { ephemeralTags } from '../model/ephemeral.js';
import type { LockReport } from '../model/pr-lock.js';
import { lockForRun } from './pr-lock-claim.js';
import type { StackSettings } from '../model/settings.js';
import { planDigest, Refused, RunFiles, STEPS, type OperationStack, type StepResult } from './steps.js';
import { pulumiErrorMessage, withoutColor } from '../workspace/engine.js';
import type { SecretCrypter } from '../workspace/passphrase.js';
import { applyConfig, MissingStackError, type PulumiStack } from '../workspace/stack.js';

const LOG_TAIL_LINES = 40;
const LOCK_RETRY_MAX_WAIT_MS = 15_000;

/** What the steps did, for the report: kept even when a step failed or the run was cancelled. */
export interface Outcome {
  changes: ChangeSummary;
  outputs?: OutputMap;
  error?: string;
  logTail: string[];
  lifecycle: LifecycleStep[];
  checks?: OutputCheck[];
  pendingOperations?: string[];
  cancelled: boolean;
  /** Set when a gate that needs the changes (`deletes-need-approval`) refused; the changes are then its preview's, if it ran one. */
  refusal?: string;
  /** What an earlier, interrupted update had left pending, and whether this run cleared it. */
  interrupted?: { operations: string[]; cleared: boolean };
  /** The link the CLI printed to the page of the operation the report shows, in Pulumi Cloud's console; unchecked. */
  permalink?: string;
  /** SHA-256 of the update plan file, when there is one. */
  planDigest?: string;
}

/** What a stack command did to its stack: the plan it carried out (a lock may have refused it), and the lock's state. */
export interface Operated {
  plan: Plan;
  outcome: Outcome;
  lock?: LockReport;
  /** Another pull request holds the stack: the reply for a comment command. */
  lockRefusal?: string;
}

/** A stack command on the opened stack, from its tags to the lock's release; the phase follows it. */
export async function operate(stack: PulumiStack, settings: StackSettings, planned: Plan, crypter: Promise<SecretCrypter | undefined>, redactor: Redactor, context: RunContext): Promise<Operated> {
  if (STACK_COMMAND_RECORDS[settings.command].ephemeral) {
    for (const [name, value] of Object.entries(ephemeralTags(new Date(), settings.smoke.ttlMs, settings.comment.issueNumber, settings.github.sha))) await stack.setTag(name, value);
  }
  const lock = await lockForRun(stack, settings, planned, context.signal);
  const { plan } = lock;

  context.phase = 'config';
  if (plan.steps.length > 0) await applyConfig(stack, settings, crypter);

  context.phase = 'operation';
  const outcome = await runSteps(stack, settings, plan, context, redactor);
  return { plan, outcome, lock: await lock.settle(outcome.refusal !== undefined), ...(lock.refusalReply ? { lockRefusal: lock.refusalReply } : {}) };
}

/** Runs the plan's steps in order, stopping at the first failure; the plan's `always` steps run regardless. */
export async function runSteps(stack: OperationStack, settings: StackSettings, plan: Plan, cancellation: Cancellation, redactor: Redactor): Promise<Outcome> {
  const { signal } = cancellation;
  const events: EngineEvent[] = [];
  const logTail: string[] = [];
  const lifecycle: LifecycleStep[] = [];
  const onOutput = (line: string) => {
    const safe = redactor.text(line);
    log.info(safe);
    // The log shows the colours `color` asks for; the report's copy of its tail has none.
    logTail.push(withoutColor(safe));
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
  };
  let outputs: OutputMap | undefined;
  let checks: OutputCheck[] | undefined;
  let error: string | undefined;
  let failure: unknown;
  let refusal: string | undefined;
  const files = new RunFiles();
  // The update applies the plan the gate's preview saved: a step outside it is the gate's business, not a reviewer's.
  const gatePlanApplied = plan.steps.includes('up-as-previewed');
  let permalink: string | undefined;

  const runStep = async (step: Step, { signal, terminate }: Cancellation): Promise<void> => {
    const record = STEPS[step];
    // Each attempt's own: a lock retry starts the step's events afresh.
    let attempt: EngineEvent[] = [];
    const onEvent = (event: EngineEvent) => attempt.push(event);
    let result: StepResult;
    try {
      result = await log.group(`pulumi ${record.title} ${settings.stack}`, async () => {
        await record.before?.(stack, settings);
        const engine = record.args
          ? await withLockRetry(stack, settings.lockTimeoutMs, signal, () => {
              attempt = [];
              return stack.run(record.args!(settings, files), { onEvent, onOutput, signal, terminate });
            })
          : {};
        // The page of the operation whose events the report shows.
        if (record.keepsEvents) permalink = engine.permalink ?? permalink;
        return (await record.after?.(stack, settings, { events: attempt, engine, outputs, files })) ?? {};
      });
    } catch (err) {
      if (record.keepsEvents) permalink = (err as { permalink?: string }).permalink ?? permalink;
      if (record.keepsEvents || err instanceof Refused) events.push(...attempt);
      lifecycle.push({ step, ok: false, detail: redactor.text(err instanceof Refused ? err.message : pulumiErrorMessage(err)) });
      throw err;
    }
    if (record.keepsEvents) events.push(...attempt);
    outputs = result.outputs ?? outputs;
    checks = result.checks ?? checks;
    lifecycle.push({ step, ok: result.failure === undefined, ...(result.detail ? { detail: result.detail } : {}) });
    if (result.failure !== undefined) throw new Error(result.failure);
  };

  try {
    for (const step of plan.steps) {
      throwIfCancelled(signal, `before ${step}`);
      await runStep(step, cancellation);
    }
  } catch (err) {
    // A stack that is not there is bad input, not a failed operation: nothing to report on.
    if (err instanceof MissingStackError) throw err;
    if (err instanceof Refused) refusal = err.message;
    else failure = err;
  } finally {
    files.remove();
  }
  // Teardown events are not kept, so the model is complete once the plan's own steps have run.
  const changes = changeSummaryFromEvents(events);
  if (failure !== undefined) error = describeFailure(failure, signal, changes, gatePlanApplied);
  const interrupted = interruptedOperations(changes);
  let cleared = false;
  if (interrupted.length > 0 && plan.clearsPending && failure === undefined && refusal === undefined) {
    try {
      await runStep('clear-pending', cancellation);
      cleared = true;
    } catch (err) {
      error = `the interrupted update's pending operations could not be cleared: ${describeFailure(err, signal)}`;
    }
  }
  // A teardown after a cancellation gets its own chance: only the runner's second signal stops it.
  const teardown = { signal: new AbortController().signal, terminate: cancellation.terminate };
  for (const step of plan.always) {
    try {
      await runStep(step, teardown);
    } catch (err) {
      error = [error, `teardown failed: ${describeFailure(err, signal)}`].filter(Boolean).join('\n');
    }
  }
  const cancelled = signal.aborted;
  return {
    changes,
    outputs,
    error: error && redactor.text(error),
    logTail,
    lifecycle,
    checks,
    pendingOperations: cancelled ? await pendingOperations(stack) : undefined,
    cancelled,
    refusal,
    interrupted: interrupted.length > 0 ? { operations: interrupted, cleared } : undefined,
    permalink,
    planDigest: settings.planFile ? planDigest(settings.planFile) : undefined,
  };
}

/**
 * An operation that starts on a stack with pending operations warns, naming each: `* <urn>,
 * interrupted while <creating|updating|deleting>`. They stay in the state until cleared.
 */
function interruptedOperations(changes: ChangeSummary): string[] {
  const warning = changes.diagnostics.find((d) => d.severity === 'warning' && d.message.includes('pending operations from previous deployment'));
  return [...(warning?.message ?? '').matchAll(/^\s*\* (urn:\S+), interrupted while (\S+)$/gm)].map((m) => `${m[2]} ${m[1]}`);
}

/**
 * Another run holding the stack's lock is worth waiting for: retry with growing pauses until
 * `lock-timeout`, then fail with the backend's words, which name the lock's holder. A lock left by a
 * process of this host that no longer runs (a runner killed mid-update) is nobody's: it is removed.
 */
async function withLockRetry<T>(stack: OperationStack, timeoutMs: number, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  let removedStale = false;
  for (let pause = 1_000; ; pause = Math.min(pause * 2, LOCK_RETRY_MAX_WAIT_MS)) {
    try {
      return await call();
    } catch (err) {
      const holder = lockHolder(err);
      const stale = holder && !removedStale ? staleLocalLock(holder) : undefined;
      if (stale) {
        await stack.cancel(stale);
        removedStale = true;
        continue;
      }
      const left = giveUpAt - Date.now();
      if (!holder || left <= 0 || signal.aborted) throw holder ? new Error(`the stack is locked by another update: ${holder}`) : err;
      log.info(`The stack is locked by another update; waiting ${Math.round(Math.min(pause, left) / 1000)} s (lock-timeout ends in ${Math.round(left / 1000)} s).`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }
}

/** After a cancellation, what the engine recorded as started but not finished. */
async function pendingOperations(stack: OperationStack): Promise<string[]> {
  try {
    const deployment = (await stack.exportStack()).deployment as { pending_operations?: { resource?: { urn?: string }; type?: string }[] };
    return (deployment.pending_operations ?? []).map((op) => `${op.type ?? 'operation'} ${op.resource?.urn ?? '(unknown resource)'}`);
  } catch (err) {
    return [`could not read the stack's state: ${pulumiErrorMessage(err)}`];
  }
}

/**
 * Mandatory policy violations stop the engine with only "Resource monitor has terminated" to say;
 * otherwise the engine's own error diagnostics say most (a program's exception, a plan violation);
 * the CLI's `error:` lines are the fallback for failures before any event (a lock, a missing stack).
 */
function describeFailure(err: unknown, signal: AbortSignal, changes?: ChangeSummary, gatePlanApplied = false): string {
  const diagnostics = (changes?.diagnostics ?? []).filter((d) => d.severity === 'error');
  const mandatory = (changes?.policyViolations ?? []).filter((v) => v.enforcement === 'mandatory');
  const ownError = err instanceof Error && !('commandResult' in err);
  const message = ownError ? err.message : mandatory.length > 0 ? policyFailure(mandatory) : diagnostics.length > 0 ? diagnostics.map((d) => d.message).join('\n') : pulumiErrorMessage(err);
  if (signal.aborted) return `cancelled: ${message}`;
  if (gatePlanApplied && PLAN_VIOLATION.test(message)) {
    return (
      `the update went beyond what its 'deletes-need-approval' preview showed (a program that declares other resources outside previews, or another run changed the stack in between), so Pulumi stopped it: ` +
      `approve it as a destroy (PULUMI_DESTROY_APPROVED="true" in a job bound to a protected environment) if it may delete, or run it again. Pulumi said: ${message}`
    );
  }
  if (PLAN_VIOLATION.test(message)) {
    return `the program or its config changed since the plan was saved, so it was not applied; preview again and review the new plan. Pulumi said: ${message}`;
  }
  return message;
}

/** The engine's words for a step outside the update plan it was given. */
const PLAN_VIOLATION = /violates plan|not allowed by the plan/;

const POLICY_FAILURES_LISTED = 5;

function policyFailure(violations: readonly PolicyViolation[]): string {
  const listed = violations.slice(0, POLICY_FAILURES_LISTED).map((v) => `${v.policyPack}/${v.policy}${v.urn ? ` on ${urnName(v.urn)}` : ''}: ${v.message.split('\n').at(-1)}`);
  const more = violations.length > listed.length ? `; and ${violations.length - listed.length} more` : '';
  return `${violations.length} mandatory policy violation(s) stopped it: ${listed.join('; ')}${more}`;
}

/**
 * The backend's own words for a stack locked by another update, naming the lock's holder, or
 * undefined for any other failure. Only the lock messages of the CLI itself count (self-managed
 * backends, and Pulumi Cloud's 409): a program's or a provider's error that mentions a conflict (an
 * HTTP 409 from a cloud API, a Kubernetes conflict) is no lock, and re-running the update would only
 * repeat it until `lock-timeout`.
 */
export function lockHolder(err: unknown): string | undefined {
  if ((err as Error | undefined)?.name === 'ConcurrentUpdateError') return pulumiErrorMessage(err);
  const stderr = (err as { commandResult?: { stderr?: string } } | undefined)?.commandResult?.stderr ?? '';
  const lines = stderr.split('\n');
  const start = lines.findIndex((line) => line.startsWith('error: ') && LOCK_MESSAGES.some((m) => line.includes(m)));
  if (start < 0) return undefined;
  // The error line, and the indented lines after it that name each lock's holder.
  const end = lines.findIndex((line, i) => i > start && !/^\s/.test(line));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

const LOCK_MESSAGES = ['the stack is currently locked by', '[409] Conflict: Another update is currently in progress'];

/**
 * A self-managed backend's lock names its holder: `created by <user>@<host> (pid <n>)`. When every
 * lock on the stack was made by a process of this host that is gone, says whose they were.
 */
export function staleLocalLock(holder: string, host = os.hostname(), isRunning = processRuns): string | undefined {
  const holders = [...holder.matchAll(/created by \S*@(\S+) \(pid (\d+)\)/g)].map((m) => ({ host: m[1]!, pid: Number(m[2]) }));
  if (holders.length === 0 || holders.some((h) => h.host !== host || isRunning(h.pid))) return undefined;
  return `a process of this host that no longer runs (pid ${holders.map((h) => h.pid).join(', ')})`;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
