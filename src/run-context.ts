// What every stage of one run shares: the phase it is in (for the error that ends the step), the
// cancellation signal the runner's SIGINT or SIGTERM sets, and the CLI version check started first.
import type { VersionCheck } from './workspace/version-check.js';

export type Phase = 'inputs' | 'plan' | 'dependencies' | 'stack' | 'config' | 'operation' | 'report';

export interface RunContext {
  phase: Phase;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** The entry point's check of the `pulumi` on PATH, started while the rest of the action loaded. */
  versionCheck?: VersionCheck;
}

export class Cancelled extends Error {
  override name = 'Cancelled';
}

/** Between stages: a cancelled run starts nothing new. */
export function throwIfCancelled(signal: AbortSignal, when: string): void {
  if (signal.aborted) throw new Cancelled(`cancelled ${when}; nothing further was started.`);
}
