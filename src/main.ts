// The pipeline: inputs -> plan -> workspace -> operation -> report. One try/catch; every failure
// reaches core.setFailed with the phase it happened in and Pulumi's own words.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as core from '@actions/core';
import { cleanup } from './cleanup.js';
import { detect } from './detect.js';
import { gitHubClient, gitHubFailure, runApprovals } from './github.js';
import { parseInputs, type StackSettings } from './inputs.js';
import { runSteps, type Outcome } from './operation.js';
import { approvalGate, EPHEMERAL_TAGS, planRun, type GateDecision, type Plan } from './plan.js';
import { publishReport } from './report/publish.js';
import { resultOf, type Report } from './report/model.js';
import type { Cancellation, RunContext } from './run-context.js';
import { prepare } from './workspace/prepare.js';
import { pulumiErrorMessage } from './workspace/engine.js';
import { applyConfig, MissingStackError, openStack, secretCrypter, type PulumiStack } from './workspace/stack.js';
import type { VersionCheck } from './workspace/version-check.js';

export async function run(env: NodeJS.ProcessEnv = process.env, versionCheck?: VersionCheck): Promise<void> {
  const cancellation = watchCancellation();
  const context: RunContext = { phase: 'inputs', signal: cancellation.signal, terminate: cancellation.terminate, env, versionCheck };
  try {
    const settings = parseInputs((name) => core.getInput(name), env);
    forgetInputs();
    if (settings.command === 'detect') await detect(settings, context);
    else if (settings.command === 'cleanup') await cleanup(settings, context);
    else await stackCommand(settings, context);
  } catch (err) {
    core.setFailed(`${err instanceof MissingStackError ? 'stack' : context.phase}: ${pulumiErrorMessage(err)}`);
  } finally {
    cancellation.dispose();
  }
}

/**
 * Every child process (the CLI, the language host, the program and its providers, pip, npm)
 * inherits this process's environment. The runner's INPUT_* variables, secret config and the token
 * among them, have been read, and are none of theirs.
 */
function forgetInputs(): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name];
}

async function stackCommand(settings: StackSettings, context: RunContext): Promise<void> {
  const secrets = settings.config.filter((c) => c.secret).map((c) => c.value);
  secrets.forEach((s) => core.setSecret(s));

  context.phase = 'plan';
  const plan = planRun(settings, {
    approval: settings.requireApproval ? await checkApproval(settings, settings.requireApproval) : undefined,
    backendUrl: settings.backendUrl ?? context.env.PULUMI_BACKEND_URL,
    runnerTemp: context.env.RUNNER_TEMP,
  });
  if (plan.refusal && plan.steps.length === 0) throw new Error(plan.refusal);

  const crypter = secretCrypter(settings, context.env);
  const stack = await openWorkspace(settings, plan, context);
  if (settings.command === 'smoke') await tagEphemeralStack(stack, settings);

  context.phase = 'config';
  await applyConfig(stack, settings, crypter);

  context.phase = 'operation';
  const outcome = await runSteps(stack, settings, plan, context, secrets);

  context.phase = 'report';
  const report: Report = {
    command: settings.command,
    project: settings.project.name,
    stack: settings.stack,
    stackRef: await stack.ref,
    result: resultFor(settings, plan, outcome),
    changes: outcome.changes,
    outputs: outcome.outputs ?? {},
    error: plan.refusal ?? outcome.refusal ?? outcome.error,
    logTail: outcome.error ? outcome.logTail : undefined,
    runUrl: settings.github.runUrl,
    lifecycle: settings.command === 'smoke' ? outcome.lifecycle : undefined,
    checks: outcome.checks,
    planDigest: settings.planFile && fs.existsSync(settings.planFile) ? sha256(settings.planFile) : undefined,
    pendingOperations: outcome.pendingOperations,
    interruptedOperations: outcome.interrupted,
  };
  await publishReport(report, settings, secrets);

  const failure = failureOf(settings, plan, report, outcome);
  if (failure) core.setFailed(`operation: ${failure}`);
}

/** Dependencies (beside the CLI lookup, which runs meanwhile), then the stack itself. */
async function openWorkspace(settings: StackSettings, plan: Plan, context: RunContext) {
  const { cli, programEnv } = await prepare(settings, plan.needsDependencies, context);
  context.phase = 'stack';
  return openStack(settings, (await cli).command, programEnv, plan.mayCreateStack);
}

async function checkApproval(settings: StackSettings, environment: string): Promise<GateDecision> {
  const { repository, runId, actor, triggeringActor, apiUrl } = settings.github;
  // parseInputs made sure these are set whenever require-approval is.
  try {
    const github = await gitHubClient(settings.comment.token!, apiUrl);
    return approvalGate(await runApprovals(github, repository!.owner, repository!.repo, runId!), environment, [actor, triggeringActor]);
  } catch (err) {
    return { allowed: false, reason: `Could not read this run's approvals (${gitHubFailure(err)}): give the job 'actions: read'.` };
  }
}

/** Tags that let `cleanup` find the stack later, should this run die before tearing it down. */
async function tagEphemeralStack(stack: PulumiStack, settings: StackSettings): Promise<void> {
  const now = new Date();
  const tags: Record<string, string | undefined> = {
    [EPHEMERAL_TAGS.marker]: 'true',
    [EPHEMERAL_TAGS.created]: now.toISOString(),
    [EPHEMERAL_TAGS.expires]: new Date(now.getTime() + settings.smoke.ttlMs).toISOString(),
    [EPHEMERAL_TAGS.pullRequest]: settings.comment.issueNumber?.toString(),
    [EPHEMERAL_TAGS.commit]: settings.github.sha,
  };
  for (const [key, value] of Object.entries(tags)) if (value) await stack.setTag(key, value);
}

function resultFor(settings: StackSettings, plan: Plan, outcome: Outcome): Report['result'] {
  if (plan.refusal || outcome.refusal) return 'refused';
  if (outcome.cancelled) return 'cancelled';
  if (outcome.error) return 'failed';
  if (settings.command === 'drift') {
    const { update, delete: deleted } = outcome.changes.counts;
    return update + deleted > 0 ? 'drifted' : 'no-changes';
  }
  return resultOf(outcome.changes, false);
}

function failureOf(settings: StackSettings, plan: Plan, report: Report, outcome: Outcome): string | undefined {
  const refusal = plan.refusal ?? outcome.refusal;
  if (refusal) return refusalMessage(refusal, report);
  if (outcome.error) return outcome.error;
  if (report.result === 'drifted' && settings.failOnDrift) return `resources changed outside Pulumi (see the report), and 'fail-on-drift' is set.`;
  return undefined;
}

/** The refusal, with what the refused run would have deleted or replaced. */
function refusalMessage(refusal: string, report: Report): string {
  const lists = (['delete', 'replace'] as const).flatMap((op) => {
    const doomed = report.changes.resources.filter((r) => r.op === op);
    if (doomed.length === 0) return [];
    const listed = doomed.slice(0, 20).map((r) => `${r.type} ${r.name}`);
    const more = doomed.length > listed.length ? `, and ${doomed.length - listed.length} more` : '';
    return [`It would ${op} ${doomed.length} resource(s): ${listed.join(', ')}${more}.`];
  });
  return [refusal, ...lists].join(' ');
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The runner sends SIGINT on cancel, SIGTERM 7.5 s later, then kills. The first signal asks the
 * engine to stop gracefully (the CLI gets one SIGINT): it finishes the operations in flight, writes
 * the state and releases the lock. The second is for an operation that outlasts the runner's
 * deadline: the engine is told to terminate, killed if it does not, and its lock removed.
 */
function watchCancellation(): Cancellation & { dispose: () => void } {
  const cancel = new AbortController();
  const terminate = new AbortController();
  const onSignal = (name: string) => {
    if (!cancel.signal.aborted) {
      core.warning(`Received ${name}: asking the Pulumi engine to stop gracefully.`);
      cancel.abort();
    } else if (!terminate.signal.aborted) {
      core.warning(`Received ${name} again: terminating the Pulumi engine before the runner kills this step.`);
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
