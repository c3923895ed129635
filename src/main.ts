// The pipeline: inputs -> plan -> workspace -> operation -> report. One try/catch; every failure
// reaches core.setFailed with the phase it happened in and Pulumi's own words.
import * as core from '@actions/core';
import type { EngineEvent, OutputMap, Stack } from '@pulumi/pulumi/automation/index.js';
import { parseInputs, type Settings } from './inputs.js';
import { OPERATIONS, pulumiErrorMessage, type OperationName } from './operation.js';
import { planRun, type Plan } from './plan.js';
import { publishReport } from './report/publish.js';
import { changeSummaryFromEvents, redact, resultOf, type Report } from './report/model.js';
import { installDependencies, isUpToDate, planDependencies } from './workspace/dependencies.js';
import { resolvePulumiCli } from './workspace/pulumi-cli.js';
import { applyConfig, openStack } from './workspace/stack.js';

type Phase = 'inputs' | 'dependencies' | 'stack' | 'config' | 'operation' | 'report';

const LOG_TAIL_LINES = 40;

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const cancellation = watchCancellation();
  let phase: Phase = 'inputs';
  try {
    const settings = parseInputs((name) => core.getInput(name), env);
    const secrets = settings.config.filter((c) => c.secret).map((c) => c.value);
    secrets.forEach((s) => core.setSecret(s));
    const plan = planRun(settings);

    // Finding the CLI runs beside the dependency install; its failure is reported in its own phase.
    const cli = resolvePulumiCli(settings.pulumiVersion, env);
    cli.catch(() => undefined);

    phase = 'dependencies';
    const programEnv = await prepareDependencies(settings, plan, env);

    phase = 'stack';
    const { command, source } = await cli;
    core.info(`Pulumi CLI v${command.version?.version ?? '?'} from ${source}`);
    const { stack, stackRef } = await openStack(settings, command, programEnv);

    phase = 'config';
    await applyConfig(stack, settings.config);

    phase = 'operation';
    const outcome = await runOperations(stack, settings, plan, cancellation.signal, secrets);

    phase = 'report';
    const report: Report = {
      command: settings.command,
      project: settings.project.name,
      stack: settings.stack,
      stackRef,
      result: plan.refusal ? 'refused' : resultOf(outcome.changes, outcome.error !== undefined),
      changes: outcome.changes,
      outputs: outcome.outputs ?? {},
      error: plan.refusal ?? outcome.error,
      logTail: outcome.error ? outcome.logTail : undefined,
      runUrl: settings.github.runUrl,
    };
    await publishReport(report, settings, secrets);

    if (plan.refusal) core.setFailed(`operation: ${refusalMessage(plan.refusal, report)}`);
    else if (outcome.error) core.setFailed(`operation: ${outcome.error}`);
  } catch (err) {
    core.setFailed(`${phase}: ${messageOf(err)}`);
  } finally {
    cancellation.dispose();
  }
}

async function prepareDependencies(settings: Settings, plan: Plan, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const deps = planDependencies(settings.workDir, settings.project, env);
  if (!deps) return {};
  if (!plan.needsDependencies) return deps.env;
  if (isUpToDate(deps)) {
    core.info(`${deps.description}: up to date, reused`);
    return deps.env;
  }
  await core.group(`Dependencies: ${deps.description}`, () => installDependencies(deps, settings.workDir, (line) => core.info(line)));
  return deps.env;
}

interface Outcome {
  changes: Report['changes'];
  outputs?: Report['outputs'];
  error?: string;
  logTail: string[];
}

/** Runs the refresh (when asked) and the operation, keeping events and the log's tail even on failure. */
async function runOperations(stack: Stack, settings: Settings, plan: Plan, signal: AbortSignal, secrets: string[]): Promise<Outcome> {
  const events: EngineEvent[] = [];
  const logTail: string[] = [];
  const onOutput = (line: string) => {
    const safe = redact(line, secrets);
    core.info(safe);
    logTail.push(safe);
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
  };
  const steps: OperationName[] = plan.refreshFirst ? ['refresh-first', plan.operation] : [plan.operation];
  let outputs: OutputMap | undefined;
  let error: string | undefined;
  for (const step of steps) {
    // Events of the refresh that precedes the operation are not the operation's changes.
    const onEvent = step === 'refresh-first' ? () => undefined : (event: EngineEvent) => events.push(event);
    try {
      const result = await core.group(`pulumi ${step.replace('-first', '').replace('destroy-preview', 'destroy --preview-only')} ${settings.stack}`, () =>
        OPERATIONS[step](stack, { options: settings.operation, onEvent, onOutput, signal }),
      );
      outputs = result.outputs ?? outputs;
    } catch (err) {
      error = signal.aborted ? `cancelled: ${pulumiErrorMessage(err)}` : pulumiErrorMessage(err);
      break;
    }
  }
  return { changes: changeSummaryFromEvents(events), outputs, error: error && redact(error, secrets), logTail };
}

function refusalMessage(refusal: string, report: Report): string {
  const doomed = report.changes.resources.filter((r) => r.op === 'delete');
  if (doomed.length === 0) return refusal;
  const listed = doomed.slice(0, 20).map((r) => `${r.type} ${r.name}`);
  const more = doomed.length > listed.length ? `, and ${doomed.length - listed.length} more` : '';
  return `${refusal} It would delete ${doomed.length} resource(s): ${listed.join(', ')}${more}.`;
}

/**
 * The runner sends SIGINT on cancel, SIGTERM 7.5 s later, then kills. The first signal asks the
 * engine to stop gracefully (the Automation API sends the CLI one SIGINT), so no lock is left.
 */
function watchCancellation(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: string) => {
    if (controller.signal.aborted) return;
    core.warning(`Received ${name}: asking the Pulumi engine to stop gracefully.`);
    controller.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? pulumiErrorMessage(err) : String(err);
}
