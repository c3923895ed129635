// What each step runs: its title, the CLI command it makes of the settings, which of its events the
// report keeps, and what the action does around the command. operation.ts runs them in the plan's
// order; everything a step needs of the stack is the small interface below.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Deployment, EngineEvent, OutputMap } from '@pulumi/pulumi/automation/index.js';
import type { Step } from '../model/commands.js';
import type { GateDecision } from '../model/commands.js';
import { deletesGate, readUpdatePlan, type UpdatePlanReading } from '../plan/destroy.js';
import { checkOutputs } from '../model/checks.js';
import type { OutputCheck } from '../model/changes.js';
import type { OperationOptions, StackSettings } from '../model/settings.js';
import type { EngineCall, EngineResult } from '../workspace/engine.js';

export type EngineHooks = Pick<EngineCall, 'onOutput' | 'onEvent' | 'signal' | 'terminate'>;

/** The stack as the operation stage uses it; `PulumiStack` in the action, a fake in unit tests. */
export interface OperationStack {
  /** An engine command on the stack, its events and output streamed to the hooks. */
  run(args: readonly string[], hooks: EngineHooks): Promise<EngineResult>;
  /** The outputs with the secrets' values (the engine's events carry none). */
  outputs(): Promise<OutputMap>;
  exportStack(): Promise<Deployment>;
  /** Removes a lock known to be nobody's; `whose` says whose it was. */
  cancel(whose: string): Promise<void>;
}

/** What a step found, for the next step and the report. */
export interface StepResult {
  /** Stack outputs after the step, when it changes or reads them. */
  outputs?: OutputMap;
  checks?: OutputCheck[];
  /** A line for the report's list of steps. */
  detail?: string;
  /** What the step found fails the run (its findings are still reported). */
  failure?: string;
}

/** What a step's command left: its events and its result (none without a command), and the latest outputs before it. */
export interface Found {
  events: EngineEvent[];
  engine: EngineResult;
  outputs?: OutputMap;
  files: RunFiles;
}

/**
 * Files the steps of one run hand on to each other, in a folder of its own that only this user can
 * read (the update plan holds the stack's inputs), made on first use and removed when the run ends.
 */
export class RunFiles {
  private folder?: string;

  /** The update plan the `deletes-need-approval` preview saves, and the update then applies. */
  get gatePlan(): string {
    this.folder ??= fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-stack-action-'));
    return path.join(this.folder, 'gate-plan.json');
  }

  remove(): void {
    if (this.folder) fs.rmSync(this.folder, { recursive: true, force: true });
  }
}

/** What the action does after a step's command, or in its place. */
type After = (stack: OperationStack, settings: StackSettings, found: Found) => Promise<StepResult>;

export interface StepRecord {
  /** The log group's title, after `pulumi` and before the stack's name. */
  title: string;
  /** The engine command; none for a step the action does itself. */
  args?: (settings: StackSettings, files: RunFiles) => string[];
  /** Whether the report shows its events: a refresh before the operation, or a teardown, is not the change under review. */
  keepsEvents: boolean;
  /** A check before the command, which throws to stop the run. */
  before?: (stack: OperationStack, settings: StackSettings) => Promise<void>;
  after?: After;
}

/** A gate's refusal once the changes are known: the run stops, and is reported as refused. */
export class Refused extends Error {
  override name = 'Refused';
}

const flag = (on: boolean | undefined, name: string) => (on ? [name] : []);
const each = (name: string, values: readonly string[]) => values.flatMap((value) => [name, value]);

/**
 * How the engine writes its log. The verbose log goes to stderr (`--logtostderr`), which the engine
 * runner then streams into the step's log, masked as every line.
 */
function logging(options: OperationOptions): string[] {
  const { log } = options;
  return [
    '--color',
    log.color,
    ...(log.verbosity ? ['-v', String(log.verbosity), '--logtostderr'] : []),
    ...flag(log.flow, '--logflow'),
    ...flag(log.debug, '--debug'),
    ...flag(options.suppressOutputs, '--suppress-outputs'),
    ...flag(options.suppressProgress, '--suppress-progress'),
  ];
}

/** The options every engine command takes. */
function common(options: OperationOptions): string[] {
  return [
    ...logging(options),
    ...(options.parallel ? ['--parallel', String(options.parallel)] : []),
    ...(options.message ? ['--message', options.message] : []),
    ...each('--target', options.target),
    ...flag(options.targetDependents, '--target-dependents'),
    ...each('--exclude', options.exclude),
    ...flag(options.excludeDependents, '--exclude-dependents'),
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
    ...each('--policy-pack-config', options.policyPackConfigs),
  ];
}

/** What only `destroy` takes, in its preview too: the preview of a refused destroy shows what the destroy would do. */
const destroying = (options: OperationOptions) => flag(options.excludeProtected, '--exclude-protected');

const APPLY = ['--yes', '--skip-preview'];

/** The outputs from the engine's events; where they carry none (a targeted refresh), the stack's own. */
const outputsAfter: After = async (stack, _, { engine }) => ({ outputs: engine.outputs ?? (await stack.outputs()) });

export const STEPS: Record<Step, StepRecord> = {
  'refresh-first': { title: 'refresh', keepsEvents: false, args: (s) => ['refresh', ...APPLY, ...common(s.operation)] },
  preview: {
    title: 'preview',
    keepsEvents: true,
    args: (s) => ['preview', ...planning(s.operation), ...(s.planFile ? ['--save-plan', s.planFile] : [])],
    after: async (stack, s) => {
      if (s.planFile) await stampPlan(stack, s.planFile);
      return {};
    },
  },
  // Its events are kept when the gate refuses: they are what the update would have done.
  'deletes-preview': {
    title: 'preview (deletes-need-approval)',
    keepsEvents: false,
    args: (s, files) => ['preview', ...planning(s.operation), '--save-plan', files.gatePlan],
    after: async (_, s, { events, files }) => {
      const complete = events.some((event) => event.summaryEvent !== undefined);
      refuseUnless(deletesGate(s.stack, { source: 'preview', plan: readPlanFile(files.gatePlan), complete }));
      return {};
    },
  },
  // A reviewed plan is what the update applies: the gate judges its steps, not a fresh preview.
  'deletes-plan-check': {
    title: 'plan check (deletes-need-approval)',
    keepsEvents: false,
    after: async (_, s) => {
      refuseUnless(deletesGate(s.stack, { source: 'plan-file', file: s.planFile!, plan: readPlanFile(s.planFile!) }));
      return {};
    },
  },
  up: {
    title: 'up',
    keepsEvents: true,
    before: async (stack, s) => {
      if (s.planFile) await checkPlanBase(stack, s.planFile);
    },
    args: (s) => ['up', ...APPLY, ...planning(s.operation), ...(s.planFile ? ['--plan', s.planFile] : []), ...flag(s.operation.continueOnError, '--continue-on-error')],
    after: outputsAfter,
  },
  // The plan the gate judged: Pulumi refuses any step outside it, a delete the preview did not show above all.
  'up-as-previewed': {
    title: 'up --plan',
    keepsEvents: true,
    args: (s, files) => ['up', ...APPLY, ...planning(s.operation), '--plan', files.gatePlan, ...flag(s.operation.continueOnError, '--continue-on-error')],
    after: outputsAfter,
  },
  refresh: {
    title: 'refresh',
    keepsEvents: true,
    args: (s) => ['refresh', ...APPLY, ...common(s.operation), ...flag(s.operation.expectNoChanges, '--expect-no-changes')],
    after: outputsAfter,
  },
  destroy: {
    title: 'destroy',
    keepsEvents: true,
    // Only here: `remove` follows an approved destroy, never the preview of a refused one.
    args: (s) => [
      'destroy',
      ...APPLY,
      ...common(s.operation),
      ...flag(s.operation.diff, '--diff'),
      ...destroying(s.operation),
      ...flag(s.operation.continueOnError, '--continue-on-error'),
      ...flag(s.operation.remove, '--remove'),
    ],
    after: async () => ({ outputs: {} }),
  },
  'destroy-preview': { title: 'destroy --preview-only', keepsEvents: true, args: (s) => ['destroy', '--preview-only', ...common(s.operation), ...destroying(s.operation)] },
  'destroy-and-remove': {
    title: 'destroy --remove',
    keepsEvents: false,
    args: (s) => ['destroy', ...APPLY, '--remove', ...common({ ...s.operation, target: [] })],
  },
  drift: { title: 'refresh --preview-only', keepsEvents: true, args: (s) => ['refresh', '--preview-only', ...common(s.operation)] },
  output: { title: 'stack output', keepsEvents: false, after: async (stack) => ({ outputs: await stack.outputs() }) },
  'check-outputs': {
    title: 'check outputs',
    keepsEvents: false,
    after: async (stack, s, { outputs }) => {
      const expected = s.smoke.expectOutputs;
      // The engine's events hold no secret's value: read the outputs when a check needs one.
      const actual = expected.some((e) => outputs?.[e.key]?.secret) ? await stack.outputs() : (outputs ?? {});
      const checks = checkOutputs(actual, expected);
      const failed = checks.filter((c) => !c.passed).map((c) => c.key);
      if (failed.length === 0) return { outputs: actual, checks, detail: `${checks.length} passed` };
      return { outputs: actual, checks, detail: `unexpected: ${failed.join(', ')}`, failure: `the stack outputs ${failed.join(', ')} are not what 'expect-outputs' asks for` };
    },
  },
  // Pulumi's own repair for operations an interrupted update left pending: a refresh, and pending
  // creates dropped (the engine cannot know whether they happened; the report lists them).
  'clear-pending': { title: 'refresh --clear-pending-creates', keepsEvents: false, args: (s) => ['refresh', ...APPLY, '--clear-pending-creates', ...logging(s.operation)] },
};

function refuseUnless(gate: GateDecision): void {
  if (!gate.allowed) throw new Refused(gate.reason);
}

/** An update plan file, as the gate reads it; one that cannot be read is a plan the gate cannot be sure of. */
function readPlanFile(file: string): UpdatePlanReading {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { readable: false, why: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (err as Error).message };
  }
  return readUpdatePlan(text);
}

/**
 * Pulumi checks that an update stays within its plan, but not that the stack is still the one the
 * plan was made from: a plan saved before someone else's update would undo that update. So the plan
 * carries a digest of the state it was made from, and `up` refuses it when the state has moved.
 */
const PLAN_BASE_FIELD = 'pulumiStackActionBaseState';

async function stateDigest(stack: OperationStack): Promise<string> {
  const deployment: unknown = (await stack.exportStack()).deployment;
  return createHash('sha256')
    .update(JSON.stringify(deployment ?? null))
    .digest('hex');
}

/** SHA-256 of the update plan file (the `plan-digest` output), when there is one. */
export function planDigest(planFile: string): string | undefined {
  return fs.existsSync(planFile) ? createHash('sha256').update(fs.readFileSync(planFile)).digest('hex') : undefined;
}

async function stampPlan(stack: OperationStack, planFile: string): Promise<void> {
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as Record<string, unknown>;
  plan[PLAN_BASE_FIELD] = await stateDigest(stack);
  fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));
}

async function checkPlanBase(stack: OperationStack, planFile: string): Promise<void> {
  let base: unknown;
  try {
    base = (JSON.parse(fs.readFileSync(planFile, 'utf8')) as Record<string, unknown>)[PLAN_BASE_FIELD];
  } catch (err) {
    throw new Error(`the plan ${planFile} cannot be read (${(err as Error).message}): run the reviewed preview with the same 'plan' input first.`, { cause: err });
  }
  if (typeof base !== 'string') throw new Error(`the plan ${planFile} was not saved by this action's preview, so what it was made from is unknown: save it with 'command: preview' and 'plan'.`);
  if (base !== (await stateDigest(stack))) {
    throw new Error(`the stack changed since the plan was saved, so it was not applied (another update or refresh ran in between): preview again and review the new plan.`);
  }
}
