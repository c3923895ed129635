// Stage 4: runs the planned operation. One table maps each command to its Automation API call;
// engine events are collected as they come, for the change model.
import type { EngineEvent, OutputMap, Stack } from '@pulumi/pulumi/automation/index.js';
import type { Command, OperationOptions } from './inputs.js';

export type OperationName = Command | 'destroy-preview' | 'refresh-first';

export interface OperationHooks {
  onEvent: (event: EngineEvent) => void;
  onOutput: (line: string) => void;
  signal: AbortSignal;
}

interface CallOptions extends OperationHooks {
  options: OperationOptions;
}

/** What an operation leaves behind besides its events. */
export interface OperationResult {
  /** Stack outputs after the operation, when it produces or reads them. */
  outputs?: OutputMap;
}

type Call = (stack: Stack, call: CallOptions) => Promise<OperationResult>;

function common({ options, onEvent, signal }: CallOptions) {
  return {
    onEvent,
    signal,
    parallel: options.parallel,
    message: options.message,
    target: options.target.length > 0 ? options.target : undefined,
    color: 'never' as const,
  };
}

function lines(onOutput: (line: string) => void) {
  let pending = '';
  // The engine writes partial lines; the log wants whole ones.
  return (chunk: string) => {
    const parts = (pending + chunk).split(/\r?\n/);
    pending = parts.pop() ?? '';
    for (const part of parts) onOutput(part);
  };
}

export const OPERATIONS: Record<OperationName, Call> = {
  preview: async (stack, call) => {
    await stack.preview({
      ...common(call),
      onOutput: lines(call.onOutput),
      expectNoChanges: call.options.expectNoChanges,
      diff: call.options.diff,
      replace: nonEmpty(call.options.replace),
      policyPacks: nonEmpty(call.options.policyPacks),
    });
    return {};
  },
  up: async (stack, call) => {
    const result = await stack.up({
      ...common(call),
      onOutput: lines(call.onOutput),
      expectNoChanges: call.options.expectNoChanges,
      diff: call.options.diff,
      replace: nonEmpty(call.options.replace),
      policyPacks: nonEmpty(call.options.policyPacks),
    });
    return { outputs: result.outputs };
  },
  refresh: async (stack, call) => {
    await stack.refresh({ ...common(call), onOutput: lines(call.onOutput), expectNoChanges: call.options.expectNoChanges });
    return { outputs: await stack.outputs() };
  },
  'refresh-first': async (stack, call) => {
    await stack.refresh({ ...common(call), onOutput: lines(call.onOutput) });
    return {};
  },
  destroy: async (stack, call) => {
    await stack.destroy({ ...common(call), onOutput: lines(call.onOutput), diff: call.options.diff });
    return { outputs: {} };
  },
  'destroy-preview': async (stack, call) => {
    await stack.previewDestroy({ ...common(call), onOutput: lines(call.onOutput) });
    return {};
  },
  output: async (stack) => ({ outputs: await stack.outputs() }),
};

function nonEmpty(list: string[]): string[] | undefined {
  return list.length > 0 ? list : undefined;
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
