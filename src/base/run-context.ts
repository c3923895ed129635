// What every stage of one run shares: the phase it is in (for the error that ends the step), the
// runner's two cancellation signals and its output channels, and the work the entry point started first.
import type { PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import * as log from './log.js';
import type { Runner } from './runner.js';

export type Phase = 'inputs' | 'plan' | 'dependencies' | 'login' | 'stack' | 'config' | 'operation' | 'report';

/**
 * The runner cancels a step with SIGINT (or SIGTERM), then SIGTERM 7.5 s later, and kills it 2.5 s
 * after that. `signal` is the first: stop gracefully, start nothing new. `terminate` is the second:
 * what still runs must end now.
 */
export interface Cancellation {
  signal: AbortSignal;
  terminate: AbortSignal;
}

/** A binary's version check, started (workspace/version-check.ts). */
export interface VersionCheck {
  binary: string;
  command: Promise<PulumiCommand>;
}

/** A key being derived for one passphrase and salt (base64, as the stack file's `encryptionsalt` holds it; workspace/passphrase-key.ts). */
export interface KeyDerivation {
  passphrase: string;
  salt: string;
  key: Promise<Buffer>;
}

/** What the entry point starts while the rest of the action loads, because later stages wait for it. */
export interface StartedEarly {
  /** The check of the `pulumi` on PATH. */
  versionCheck?: VersionCheck;
  /** The passphrase's key for secret config. */
  keyDerivation?: KeyDerivation;
}

export interface RunContext extends Cancellation, StartedEarly {
  phase: Phase;
  env: NodeJS.ProcessEnv;
  /** The step's outputs and job summary. */
  runner: Runner;
}

export class Cancelled extends Error {
  override name = 'Cancelled';
}

/** Between stages: a cancelled run starts nothing new. */
export function throwIfCancelled(signal: AbortSignal, when: string): void {
  if (signal.aborted) throw new Cancelled(`cancelled ${when}; nothing further was started.`);
}

/**
 * The runner sends SIGINT on cancel, SIGTERM 7.5 s later, then kills. The first signal asks the
 * engine to stop gracefully (the CLI gets one SIGINT): it finishes the operations in flight, writes
 * the state and releases the lock. The second is for an operation that outlasts the runner's
 * deadline: the engine is told to terminate, killed if it does not, and its lock removed.
 */
export function watchCancellation(): Cancellation & { dispose: () => void } {
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
