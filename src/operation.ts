// Stage 4: runs the planned steps. One table maps each step to its Automation API call; the
// engine's output streams into a log group per step, and its events are collected as they come,
// for the change model.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as core from '@actions/core';
import type { EngineEvent, OutputMap, Stack } from '@pulumi/pulumi/automation/index.js';
import type { OperationOptions, OutputExpectation, StackSettings } from './inputs.js';
import type { Plan, Step } from './plan.js';
import { changeSummaryFromEvents, redact, type ChangeSummary, type LifecycleStep } from './report/model.js';
import { throwIfCancelled } from './run-context.js';

const LOG_TAIL_LINES = 40;
const LOCK_RETRY_MAX_WAIT_MS = 15_000;

export interface StepHooks {
  onEvent: (event: EngineEvent) => void;
  onOutput: (line: string) => void;
  signal: AbortSignal;
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

type Call = (stack: Stack, call: CallOptions) => Promise<StepResult>;

function common({ options, onEvent, onOutput, signal }: CallOptions) {
  return {
    onEvent,
    onOutput: wholeLines(onOutput),
    signal,
    parallel: options.parallel,
    message: options.message,
    target: nonEmpty(options.target),
    color: 'never' as const,
  };
}

/** Options of the commands that run the program to compute changes. */
function planning(call: CallOptions) {
  return {
    ...common(call),
    expectNoChanges: call.options.expectNoChanges,
    diff: call.options.diff,
    replace: nonEmpty(call.options.replace),
    policyPacks: nonEmpty(call.options.policyPacks),
    plan: call.planFile,
  };
}

/** The engine writes partial lines; the log wants whole ones. */
function wholeLines(onOutput: (line: string) => void) {
  let pending = '';
  return (chunk: string) => {
    const parts = (pending + chunk).split(/\r?\n/);
    pending = parts.pop() ?? '';
    for (const part of parts) onOutput(part);
  };
}

export const STEPS: Record<Exclude<Step, 'check-outputs'>, Call> = {
  preview: async (stack, call) => {
    await stack.preview(planning(call));
    if (call.planFile) await stampPlan(stack, call.planFile);
    return {};
  },
  up: async (stack, call) => {
    if (call.planFile) await checkPlanBase(stack, call.planFile);
    return { outputs: (await stack.up(planning(call))).outputs };
  },
  refresh: async (stack, call) => {
    await stack.refresh({ ...common(call), expectNoChanges: call.options.expectNoChanges });
    return { outputs: await stack.outputs() };
  },
  'refresh-first': async (stack, call) => {
    await stack.refresh(common(call));
    return {};
  },
  destroy: async (stack, call) => {
    await stack.destroy({ ...common(call), diff: call.options.diff });
    return { outputs: {} };
  },
  'destroy-preview': async (stack, call) => {
    await stack.previewDestroy(common(call));
    return {};
  },
  'destroy-and-remove': async (stack, call) => {
    await stack.destroy({ ...common(call), target: undefined, remove: true });
    return {};
  },
  drift: async (stack, call) => {
    await stack.previewRefresh(common(call));
    return {};
  },
  output: async (stack) => ({ outputs: await stack.outputs() }),
};

const STEP_TITLES: Record<Exclude<Step, 'check-outputs'>, string> = {
  'refresh-first': 'refresh',
  preview: 'preview',
  up: 'up',
  refresh: 'refresh',
  destroy: 'destroy',
  'destroy-preview': 'destroy --preview-only',
  'destroy-and-remove': 'destroy --remove',
  drift: 'refresh --preview-only',
  output: 'stack output',
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
}

/** Runs the plan's steps in order, stopping at the first failure; the plan's `always` steps run regardless. */
export async function runSteps(stack: Stack, settings: StackSettings, plan: Plan, signal: AbortSignal, secrets: readonly string[]): Promise<Outcome> {
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

  const runStep = async (step: Step): Promise<void> => {
    if (step === 'check-outputs') {
      checks = checkOutputs(outputs ?? {}, settings.smoke.expectOutputs);
      const failed = checks.filter((c) => !c.passed).map((c) => c.key);
      lifecycle.push({ step, ok: failed.length === 0, detail: failed.length ? `unexpected: ${failed.join(', ')}` : `${checks.length} passed` });
      if (failed.length) throw new Error(`the stack outputs ${failed.join(', ')} are not what 'expect-outputs' asks for`);
      return;
    }
    // A refresh before the operation, or a smoke test's teardown, is not the change under review.
    const keepEvents = step !== 'refresh-first' && step !== 'destroy-and-remove';
    const onEvent = keepEvents ? (event: EngineEvent) => events.push(event) : () => undefined;
    try {
      const result = await core.group(`pulumi ${STEP_TITLES[step]} ${settings.stack}`, () =>
        withLockRetry(settings.lockTimeoutMs, signal, () =>
          STEPS[step](stack, { options: settings.operation, planFile: settings.planFile, onEvent, onOutput, signal }),
        ),
      );
      outputs = result.outputs ?? outputs;
      lifecycle.push({ step, ok: true });
    } catch (err) {
      lifecycle.push({ step, ok: false, detail: redact(pulumiErrorMessage(err), secrets) });
      throw err;
    }
  };

  try {
    for (const step of plan.steps) {
      throwIfCancelled(signal, `before ${step}`);
      await runStep(step);
    }
  } catch (err) {
    failure = err;
  }
  // Teardown events are not kept, so the model is complete once the plan's own steps have run.
  const changes = changeSummaryFromEvents(events);
  if (failure !== undefined) error = describeFailure(failure, signal, changes);
  for (const step of plan.always) {
    try {
      await runStep(step);
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
  };
}

/**
 * Another run holding the stack's lock is worth waiting for: retry with growing pauses until
 * `lock-timeout`, then fail with the backend's words, which name the lock's holder.
 */
async function withLockRetry<T>(timeoutMs: number, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (let pause = 1_000; ; pause = Math.min(pause * 2, LOCK_RETRY_MAX_WAIT_MS)) {
    try {
      return await call();
    } catch (err) {
      const holder = lockHolder(err);
      const left = giveUpAt - Date.now();
      if (!holder || left <= 0 || signal.aborted) throw holder ? new Error(`the stack is locked by another update: ${holder}`) : err;
      core.info(`The stack is locked by another update; waiting ${Math.round(Math.min(pause, left) / 1000)} s (lock-timeout ends in ${Math.round(left / 1000)} s).`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }
}

/** After a cancellation, what the engine recorded as started but not finished. */
async function pendingOperations(stack: Stack): Promise<string[]> {
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

async function stateDigest(stack: Stack): Promise<string> {
  const { deployment } = await stack.exportStack();
  return createHash('sha256').update(JSON.stringify(deployment ?? null)).digest('hex');
}

async function stampPlan(stack: Stack, planFile: string): Promise<void> {
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  plan[PLAN_BASE_FIELD] = await stateDigest(stack);
  fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));
}

async function checkPlanBase(stack: Stack, planFile: string): Promise<void> {
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

function nonEmpty(list: string[]): string[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** The message of a lock held by another update, from either kind of backend. */
export function lockHolder(err: unknown): string | undefined {
  if ((err as Error | undefined)?.name === 'ConcurrentUpdateError') return pulumiErrorMessage(err);
  const message = pulumiErrorMessage(err);
  return /currently locked|another update is currently in progress|conflict/i.test(message) ? message : undefined;
}

/** Pulumi's own words from a failed CLI call: its `error:` lines, else stderr, never our stack trace. */
export function pulumiErrorMessage(err: unknown): string {
  const result = (err as { commandResult?: { stderr?: string; stdout?: string; err?: Error } }).commandResult;
  if (!result) return err instanceof Error ? err.message : String(err);
  const text = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const errors = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^error:/i.test(l));
  if (errors.length > 0) return [...new Set(errors)].join('\n');
  const stderr = (result.stderr ?? '').trim();
  return stderr || result.err?.message || 'the Pulumi CLI failed without a message';
}
