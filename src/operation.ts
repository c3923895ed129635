// Stage 4: runs the planned steps. One table maps each step to its CLI command and options; the
// engine's output streams into a log group per step, and its events are collected for the change
// model.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as core from '@actions/core';
import type { EngineEvent, OutputMap } from '@pulumi/pulumi/automation/index.js';
import type { OperationOptions, OutputExpectation, StackSettings } from './inputs.js';
import { deletesGate, type Plan, type Step } from './plan.js';
import { changeSummaryFromEvents, redact, type ChangeSummary, type LifecycleStep } from './report/model.js';
import { throwIfCancelled, type Cancellation } from './run-context.js';
import { pulumiErrorMessage } from './workspace/engine.js';
import { MissingStackError, type PulumiStack } from './workspace/stack.js';

const LOG_TAIL_LINES = 40;
const LOCK_RETRY_MAX_WAIT_MS = 15_000;

export interface StepHooks extends Cancellation {
  onEvent: (event: EngineEvent) => void;
  onOutput: (line: string) => void;
}

interface CallOptions extends StepHooks {
  options: OperationOptions;
  planFile?: string;
}

/** What a step leaves behind besides its events. */
export interface StepResult {
  /** Stack outputs after the step, when it produces or reads them. */
  outputs?: OutputMap;
}

type Call = (stack: PulumiStack, call: CallOptions) => Promise<StepResult>;

const flag = (on: boolean | undefined, name: string) => (on ? [name] : []);
const each = (name: string, values: readonly string[]) => values.flatMap((value) => [name, value]);

/** The options every engine command takes. */
function common(options: OperationOptions): string[] {
  return [
    '--color',
    'never',
    ...(options.parallel ? ['--parallel', String(options.parallel)] : []),
    ...(options.message ? ['--message', options.message] : []),
    ...each('--target', options.target),
  ];
}

/** And those of the commands that run the program to compute changes. */
function planning(options: OperationOptions): string[] {
  return [
    ...common(options),
    ...flag(options.expectNoChanges, '--expect-no-changes'),
    ...flag(options.diff, '--diff'),
    ...each('--replace', options.replace),
    ...each('--policy-pack', options.policyPacks),
  ];
}

const APPLY = ['--yes', '--skip-preview'];

/** The outputs from the engine's events; where they carry none (a targeted refresh), the stack's own. */
async function outputsAfter(stack: PulumiStack, result: StepResult): Promise<StepResult> {
  return { outputs: result.outputs ?? (await stack.outputs()) };
}

export const STEPS: Record<Exclude<Step, 'check-outputs'>, Call> = {
  'deletes-preview': async (stack, call) => {
    await stack.run(['preview', ...planning(call.options)], call);
    return {};
  },
  preview: async (stack, call) => {
    await stack.run(['preview', ...planning(call.options), ...(call.planFile ? ['--save-plan', call.planFile] : [])], call);
    if (call.planFile) await stampPlan(stack, call.planFile);
    return {};
  },
  up: async (stack, call) => {
    if (call.planFile) await checkPlanBase(stack, call.planFile);
    return outputsAfter(stack, await stack.run(['up', ...APPLY, ...planning(call.options), ...(call.planFile ? ['--plan', call.planFile] : [])], call));
  },
  refresh: async (stack, call) =>
    outputsAfter(stack, await stack.run(['refresh', ...APPLY, ...common(call.options), ...flag(call.options.expectNoChanges, '--expect-no-changes')], call)),
  'refresh-first': async (stack, call) => {
    await stack.run(['refresh', ...APPLY, ...common(call.options)], call);
    return {};
  },
  destroy: async (stack, call) => {
    await stack.run(['destroy', ...APPLY, ...common(call.options), ...flag(call.options.diff, '--diff')], call);
    return { outputs: {} };
  },
  'destroy-preview': async (stack, call) => {
    await stack.run(['destroy', '--preview-only', ...common(call.options)], call);
    return {};
  },
  'destroy-and-remove': async (stack, call) => {
    await stack.run(['destroy', ...APPLY, '--remove', ...common({ ...call.options, target: [] })], call);
    return {};
  },
  drift: async (stack, call) => {
    await stack.run(['refresh', '--preview-only', ...common(call.options)], call);
    return {};
  },
  output: async (stack) => ({ outputs: await stack.outputs() }),
  // Pulumi's own repair for operations an interrupted update left pending: a refresh, and pending
  // creates dropped (the engine cannot know whether they happened; the report lists them).
  'clear-pending': async (stack, call) => {
    await stack.run(['refresh', ...APPLY, '--clear-pending-creates', '--color', 'never'], call);
    return {};
  },
};

const STEP_TITLES: Record<Exclude<Step, 'check-outputs'>, string> = {
  'refresh-first': 'refresh',
  'deletes-preview': 'preview (deletes-need-approval)',
  preview: 'preview',
  up: 'up',
  refresh: 'refresh',
  destroy: 'destroy',
  'destroy-preview': 'destroy --preview-only',
  'destroy-and-remove': 'destroy --remove',
  drift: 'refresh --preview-only',
  output: 'stack output',
  'clear-pending': 'refresh --clear-pending-creates',
};

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
  /** Set when a gate that needs the changes (`deletes-need-approval`) refused; the changes are the preview's. */
  refusal?: string;
  /** What an earlier, interrupted update had left pending, and whether this run cleared it. */
  interrupted?: { operations: string[]; cleared: boolean };
}

/** Runs the plan's steps in order, stopping at the first failure; the plan's `always` steps run regardless. */
export async function runSteps(stack: PulumiStack, settings: StackSettings, plan: Plan, cancellation: Cancellation, secrets: readonly string[]): Promise<Outcome> {
  const { signal } = cancellation;
  const events: EngineEvent[] = [];
  const logTail: string[] = [];
  const lifecycle: LifecycleStep[] = [];
  const onOutput = (line: string) => {
    const safe = redact(line, secrets);
    core.info(safe);
    logTail.push(safe);
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
  };
  let outputs: OutputMap | undefined;
  let checks: OutputCheck[] | undefined;
  let error: string | undefined;
  let failure: unknown;
  let refusal: string | undefined;

  const runStep = async (step: Step, { signal, terminate }: Cancellation): Promise<void> => {
    if (step === 'check-outputs') {
      // The engine's events hold no secret's value: read the outputs when a check needs one.
      if (settings.smoke.expectOutputs.some((e) => outputs?.[e.key]?.secret)) outputs = await stack.outputs();
      checks = checkOutputs(outputs ?? {}, settings.smoke.expectOutputs);
      const failed = checks.filter((c) => !c.passed).map((c) => c.key);
      lifecycle.push({ step, ok: failed.length === 0, detail: failed.length ? `unexpected: ${failed.join(', ')}` : `${checks.length} passed` });
      if (failed.length) throw new Error(`the stack outputs ${failed.join(', ')} are not what 'expect-outputs' asks for`);
      return;
    }
    // A refresh before the operation or after it, or a smoke test's teardown, is not the change under
    // review; the gate's preview is, if it refuses.
    const keepEvents = !['refresh-first', 'destroy-and-remove', 'deletes-preview', 'clear-pending'].includes(step);
    // Each attempt's own: a lock retry starts the step's events afresh.
    let attempt: EngineEvent[] = [];
    const onEvent = (event: EngineEvent) => attempt.push(event);
    try {
      const result = await core.group(`pulumi ${STEP_TITLES[step]} ${settings.stack}`, () =>
        withLockRetry(stack, settings.lockTimeoutMs, signal, () => {
          attempt = [];
          return STEPS[step](stack, { options: settings.operation, planFile: settings.planFile, onEvent, onOutput, signal, terminate });
        }),
      ).finally(() => {
        if (keepEvents) events.push(...attempt);
      });
      outputs = result.outputs ?? outputs;
      lifecycle.push({ step, ok: true });
    } catch (err) {
      lifecycle.push({ step, ok: false, detail: redact(pulumiErrorMessage(err), secrets) });
      throw err;
    }
    if (step === 'deletes-preview') {
      const { counts } = changeSummaryFromEvents(attempt);
      const gate = deletesGate(settings.stack, counts.delete + counts.replace);
      if (!gate.allowed) {
        events.push(...attempt);
        throw new Refused(gate.reason);
      }
    }
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
  }
  // Teardown events are not kept, so the model is complete once the plan's own steps have run.
  const changes = changeSummaryFromEvents(events);
  if (failure !== undefined) error = describeFailure(failure, signal, changes);
  const interrupted = interruptedOperations(changes);
  let cleared = false;
  if (interrupted.length > 0 && CLEARS_PENDING.has(settings.command) && failure === undefined && refusal === undefined) {
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
    error: error && redact(error, secrets),
    logTail,
    lifecycle,
    checks,
    pendingOperations: cancelled ? await pendingOperations(stack) : undefined,
    cancelled,
    refusal,
    interrupted: interrupted.length > 0 ? { operations: interrupted, cleared } : undefined,
  };
}

/** Commands that write the stack anyway, and so may clear what an interrupted update left pending. */
const CLEARS_PENDING: ReadonlySet<string> = new Set(['up', 'refresh', 'destroy']);

/**
 * An operation that starts on a stack with pending operations warns, naming each: `* <urn>,
 * interrupted while <creating|updating|deleting>`. They stay in the state until cleared.
 */
function interruptedOperations(changes: ChangeSummary): string[] {
  const warning = changes.diagnostics.find((d) => d.severity === 'warning' && d.message.includes('pending operations from previous deployment'));
  return [...(warning?.message ?? '').matchAll(/^\s*\* (urn:\S+), interrupted while (\S+)$/gm)].map((m) => `${m[2]} ${m[1]}`);
}

/** A gate's refusal once the changes are known: the run stops, and is reported as refused. */
class Refused extends Error {
  override name = 'Refused';
}

/**
 * Another run holding the stack's lock is worth waiting for: retry with growing pauses until
 * `lock-timeout`, then fail with the backend's words, which name the lock's holder. A lock left by a
 * process of this host that no longer runs (a runner killed mid-update) is nobody's: it is removed.
 */
async function withLockRetry<T>(stack: PulumiStack, timeoutMs: number, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
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
      core.info(`The stack is locked by another update; waiting ${Math.round(Math.min(pause, left) / 1000)} s (lock-timeout ends in ${Math.round(left / 1000)} s).`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }
}

/** After a cancellation, what the engine recorded as started but not finished. */
async function pendingOperations(stack: PulumiStack): Promise<string[]> {
  try {
    const deployment = (await stack.exportStack()).deployment as { pending_operations?: { resource?: { urn?: string }; type?: string }[] };
    return (deployment.pending_operations ?? []).map((op) => `${op.type ?? 'operation'} ${op.resource?.urn ?? '(unknown resource)'}`);
  } catch (err) {
    return [`could not read the stack's state: ${pulumiErrorMessage(err)}`];
  }
}

/**
 * The engine's own error diagnostics say most (a program's exception, a plan violation); the CLI's
 * `error:` lines are the fallback for failures before any event (a lock, a missing stack).
 */
function describeFailure(err: unknown, signal: AbortSignal, changes?: ChangeSummary): string {
  const diagnostics = (changes?.diagnostics ?? []).filter((d) => d.severity === 'error');
  const ownError = err instanceof Error && !('commandResult' in err);
  const message = ownError ? err.message : diagnostics.length > 0 ? diagnostics.map((d) => d.message).join('\n') : pulumiErrorMessage(err);
  if (signal.aborted) return `cancelled: ${message}`;
  if (/violates plan|not allowed by the plan/.test(message)) {
    return `the program or its config changed since the plan was saved, so it was not applied; preview again and review the new plan. Pulumi said: ${message}`;
  }
  return message;
}

/**
 * Pulumi checks that an update stays within its plan, but not that the stack is still the one the
 * plan was made from: a plan saved before someone else's update would undo that update. So the plan
 * carries a digest of the state it was made from, and `up` refuses it when the state has moved.
 */
const PLAN_BASE_FIELD = 'pulumiStackActionBaseState';

async function stateDigest(stack: PulumiStack): Promise<string> {
  const { deployment } = await stack.exportStack();
  return createHash('sha256').update(JSON.stringify(deployment ?? null)).digest('hex');
}

async function stampPlan(stack: PulumiStack, planFile: string): Promise<void> {
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  plan[PLAN_BASE_FIELD] = await stateDigest(stack);
  fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));
}

async function checkPlanBase(stack: PulumiStack, planFile: string): Promise<void> {
  let base: unknown;
  try {
    base = JSON.parse(fs.readFileSync(planFile, 'utf8'))[PLAN_BASE_FIELD];
  } catch (err) {
    throw new Error(`the plan ${planFile} cannot be read (${(err as Error).message}): run the reviewed preview with the same 'plan' input first.`);
  }
  if (typeof base !== 'string') throw new Error(`the plan ${planFile} was not saved by this action's preview, so what it was made from is unknown: save it with 'command: preview' and 'plan'.`);
  if (base !== (await stateDigest(stack))) {
    throw new Error(`the stack changed since the plan was saved, so it was not applied (another update or refresh ran in between): preview again and review the new plan.`);
  }
}

/** Whether the stack's outputs after a smoke `up` are what `expect-outputs` asked for, key by key. */
export interface OutputCheck {
  key: string;
  expected: string;
  actual: string;
  passed: boolean;
}

export function checkOutputs(outputs: OutputMap, expectations: readonly OutputExpectation[]): OutputCheck[] {
  return expectations.map((expectation) => {
    const output = outputs[expectation.key];
    const actual = output === undefined ? undefined : output.value;
    const shown = output === undefined ? '(missing)' : output.secret ? '[secret]' : asText(actual);
    if ('matches' in expectation) {
      const passed = output !== undefined && expectation.matches.test(asText(actual));
      return { key: expectation.key, expected: String(expectation.matches), actual: shown, passed };
    }
    const passed = output !== undefined && JSON.stringify(actual) === JSON.stringify(expectation.equals);
    return { key: expectation.key, expected: asText(expectation.equals), actual: shown, passed };
  });
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
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
  return lines.slice(start, end < 0 ? undefined : end).map((l) => l.trim()).filter(Boolean).join(' ');
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
