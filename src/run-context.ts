// What every stage of one run shares: the phase it is in (for the error that ends the step), the
// runner's two cancellation signals, and the CLI version check started first.
import type { VersionCheck } from './workspace/version-check.js';

export type Phase = 'inputs' | 'plan' | 'dependencies' | 'stack' | 'config' | 'operation' | 'report';

/**
 * The runner cancels a step with SIGINT (or SIGTERM), then SIGTERM 7.5 s later, and kills it 2.5 s
 * after that. `signal` is the first: stop gracefully, start nothing new. `terminate` is the second:
 * what still runs must end now.
 */
export interface Cancellation {
  signal: AbortSignal;
  terminate: AbortSignal;
}

export interface RunContext extends Cancellation {
  phase: Phase;
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
