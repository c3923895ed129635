// What each command is, in one record: the inputs it takes, the steps it runs, and what its result
// means. The inputs stage checks inputs against it, the plan is built from it and the operation
// runs from it, so a command, or an input of one, is added here and nowhere else.
import { PR_STACK_COMMANDS } from './pr-command.js';
import { hasChanges, type ChangeSummary, type Result } from './changes.js';
import type { Command, InputName, StackCommand, StackSettings } from './settings.js';

/** A step of the operation stage; steps.ts says what each one runs. */
export type Step =
  | 'refresh-first'
  | 'preview'
  | 'deletes-preview'
  | 'deletes-plan-check'
  | 'up'
  | 'up-as-previewed'
  | 'refresh'
  | 'destroy'
  | 'destroy-preview'
  | 'output'
  | 'drift'
  | 'check-outputs'
  | 'destroy-and-remove'
  | 'clear-pending';

/** A check that can refuse a command before anything runs: the plan stage decides each. */
export type Gate = 'destroy-approval' | 'state-loss';

/** A gate's decision: `reason` says why, for the log or the error. */
export type GateDecision = { allowed: true; reason: string } | { allowed: false; reason: string };

export interface StackCommandRecord {
  /** The inputs it takes besides those every command takes; any other given is a mistake. */
  inputs: readonly InputName[];
  /** Its steps in order, after a `refresh-first` when `refresh` is set; refused, what shows what it would have done. */
  steps(settings: StackSettings, refused: boolean): readonly Step[];
  /** Steps that run even after a failure or a cancellation: a smoke stack is always torn down. */
  always: readonly Step[];
  gates: readonly Gate[];
  /** It may create a stack that does not exist; on any other command a mistyped name fails. */
  mayCreateStack: boolean;
  /** It starts the program (or a provider), so the program's dependencies are prepared first. */
  runsProgram: boolean;
  /** It writes the stack anyway, and so clears what an interrupted update left pending. */
  clearsPending: boolean;
  /** Its stack is a throwaway: tagged for `cleanup`, its steps reported one by one. */
  ephemeral: boolean;
  /** What a run that neither failed nor was refused or cancelled found. */
  result(changes: ChangeSummary): Result;
  /** Its result says whether the stack drifted (the `drifted` output). */
  detectsDrift: boolean;
  /** Its `up` step is held to `deletes-need-approval`: plan/destroy.ts decides the steps that judge it first. */
  judgesDeletes: boolean;
}

export interface OtherCommandRecord {
  inputs: readonly InputName[];
}

/** Logging in to Pulumi Cloud with the job's ID token. */
const OIDC = ['oidc-login', 'oidc-expiration'] as const;
/** Inputs that every stack command takes: which stack, its config, and how to log in. */
const STACK = ['stack', 'org', 'project', 'config', ...OIDC] as const;
/** And the engine's own options. */
const ENGINE = ['parallel', 'message'] as const;
/** How the engine writes its log, for every command that runs it. */
const LOG = ['color', 'log-verbosity', 'log-flow', 'debug', 'suppress-outputs', 'suppress-progress'] as const;
/** Which resources the operation covers, beyond `target`: drift and smoke always cover the whole stack. */
const SELECT = ['exclude', 'exclude-dependents', 'target-dependents'] as const;
/** What the commands that run the program to compute changes (`preview`, `up`) take besides. */
const PLANNING = ['refresh', 'expect-no-changes', 'target', 'replace', 'diff', 'policy-packs', 'policy-pack-configs', 'plan'] as const;

const changed = (changes: ChangeSummary): Result => (hasChanges(changes.counts) ? 'succeeded' : 'no-changes');

const defaults = { always: [], gates: [], mayCreateStack: false, runsProgram: true, clearsPending: false, ephemeral: false, detectsDrift: false, judgesDeletes: false, result: changed } as const;

export const STACK_COMMAND_RECORDS: Record<StackCommand, StackCommandRecord> = {
  preview: {
    ...defaults,
    inputs: [...STACK, ...ENGINE, ...PLANNING, ...LOG, ...SELECT],
    steps: () => ['preview'],
    mayCreateStack: true,
  },
  up: {
    ...defaults,
    inputs: [...STACK, ...ENGINE, ...PLANNING, ...LOG, ...SELECT, 'require-approval', 'allow-ephemeral-state', 'deletes-need-approval', 'continue-on-error'],
    steps: (_, refused) => (refused ? [] : ['up']),
    judgesDeletes: true,
    gates: ['state-loss'],
    mayCreateStack: true,
    clearsPending: true,
  },
  refresh: {
    ...defaults,
    inputs: [...STACK, ...ENGINE, 'expect-no-changes', 'target', ...LOG, ...SELECT],
    steps: () => ['refresh'],
    clearsPending: true,
  },
  destroy: {
    ...defaults,
    inputs: [...STACK, ...ENGINE, 'refresh', 'target', 'diff', 'require-approval', ...LOG, ...SELECT, 'continue-on-error', 'exclude-protected', 'remove'],
    steps: (_, refused) => (refused ? ['destroy-preview'] : ['destroy']),
    gates: ['destroy-approval'],
    clearsPending: true,
  },
  // Reading outputs starts neither the program nor a provider.
  output: { ...defaults, inputs: STACK, steps: () => ['output'], runsProgram: false },
  smoke: {
    ...defaults,
    inputs: [...STACK, ...ENGINE, 'refresh', 'policy-packs', 'ttl', 'expect-outputs', ...LOG, 'policy-pack-configs'],
    steps: (_, refused) => (refused ? [] : ['up', 'check-outputs']),
    always: ['destroy-and-remove'],
    mayCreateStack: true,
    ephemeral: true,
  },
  drift: {
    ...defaults,
    inputs: [...STACK, 'fail-on-drift', ...LOG],
    steps: () => ['drift'],
    detectsDrift: true,
    // A refresh's updates and deletes are the changes made outside Pulumi.
    result: ({ counts }) => (counts.update + counts.delete > 0 ? 'drifted' : 'no-changes'),
  },
};

/**
 * `comment` runs what a pull request comment names, so it takes what those commands take, and who
 * may comment. Not `plan`: a plan saved by one comment's run is not there for the next one's.
 */
const PR_COMMAND_INPUTS: readonly InputName[] = [
  ...new Set(PR_STACK_COMMANDS.flatMap((command) => STACK_COMMAND_RECORDS[command].inputs).filter((input) => input !== 'plan')),
  'pr-command-permission',
  'pr-command-requirements',
  'pr-command-stale-approvals',
  'pr-command-allow-forks',
];

export const COMMAND_RECORDS: Record<Command, StackCommandRecord | OtherCommandRecord> = {
  ...STACK_COMMAND_RECORDS,
  cleanup: { inputs: ['project', 'org', ...OIDC] },
  install: { inputs: ['project'] },
  detect: { inputs: [] },
  comment: { inputs: PR_COMMAND_INPUTS },
};

/** Whether the stack command takes the input: a setting of another command's (from a `comment`'s) does not apply to it. */
export function takes(command: StackCommand, input: InputName): boolean {
  return STACK_COMMAND_RECORDS[command].inputs.includes(input);
}

/** Every input some command does not take, with the commands that do. */
export function commandsTaking(): Map<InputName, Command[]> {
  const taking = new Map<InputName, Command[]>();
  for (const [command, record] of Object.entries(COMMAND_RECORDS) as [Command, OtherCommandRecord][]) {
    for (const input of record.inputs) taking.set(input, [...(taking.get(input) ?? []), command]);
  }
  return taking;
}
