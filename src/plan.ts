// Stage 2: decides what will run. The destroy gate lives here and nowhere else.
import picomatch from 'picomatch';
import type { Command, Settings } from './inputs.js';

export type GateDecision =
  | { allowed: true; reason: 'approved' | 'ephemeral' }
  | { allowed: false; reason: string };

/**
 * `destroy` needs a human: `PULUMI_DESTROY_APPROVED=true` (typically set by a protected
 * environment), or a stack whose name matches one of the `ephemeral-stacks` patterns.
 */
export function destroyGate(stack: string, approved: boolean, ephemeralPatterns: readonly string[]): GateDecision {
  if (approved) return { allowed: true, reason: 'approved' };
  if (isEphemeral(stack, ephemeralPatterns)) return { allowed: true, reason: 'ephemeral' };
  return {
    allowed: false,
    reason:
      `Destroying stack '${stack}' needs approval: set the environment variable PULUMI_DESTROY_APPROVED to "true" ` +
      `in a job bound to a protected environment, or list the stack in 'ephemeral-stacks' if it is a throwaway stack.`,
  };
}

/** Ephemeral patterns are globs over the short stack name; dots are ordinary characters. */
export function isEphemeral(stack: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && picomatch(patterns as string[], { dot: true, nonegate: true })(stack);
}

export interface Plan {
  /** Refresh the stack's state before the operation (`refresh: true`, not for `output` or `refresh` itself). */
  refreshFirst: boolean;
  /** What the operation step runs; a refused destroy runs only a destroy preview, to list what it would delete. */
  operation: Command | 'destroy-preview';
  /** Why the operation was refused, when it was. */
  refusal?: string;
  /** Whether to prepare the program's dependencies before the operation. */
  needsDependencies: boolean;
}

export function planRun(settings: Settings): Plan {
  const { command } = settings;
  const gate = command === 'destroy' ? destroyGate(settings.stack, settings.destroyApproved, settings.ephemeralStacks) : undefined;
  const refused = gate !== undefined && !gate.allowed;
  return {
    refreshFirst: settings.refresh && command !== 'output' && command !== 'refresh' && !refused,
    operation: refused ? 'destroy-preview' : command,
    refusal: refused ? gate.reason : undefined,
    // Reading outputs starts neither the program nor a provider; every other command may.
    needsDependencies: settings.installDependencies && command !== 'output',
  };
}
