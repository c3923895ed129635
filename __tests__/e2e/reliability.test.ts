// Harm done for real: a cancelled run, two runs on one stack, state kept where it would vanish, a
// GitHub API that hangs. Each time the stack must stay usable and its state valid.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cancelAsRunner, startAction, type ActionRun } from '../../scripts/runner.mjs';
import { startGitHubApi, type TokenSpec } from '../support/github-api.js';
import { errorsOf, filesIn, makeWorkspace, prepareStep, pulumiCli, runStep, snapshotState, type StepOptions, type Workspace } from '../support/e2e.js';
import { createDatabase, dropDatabase } from '../support/postgres.js';

let ws: Workspace;

beforeAll(async () => {
  ws = makeWorkspace('python');
  const setup = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: slowConfig('start', 0) } });
  expect(setup.code).toBe(0);
}, 300_000);

afterAll(() => {
  fs.rmSync(ws.root, { recursive: true, force: true });
});

function slowConfig(message: string, delayMs: number, outDir = ws.outDir) {
  return JSON.stringify({ message, delayMs, outDir, fileCount: 3 });
}

/** Starts the action without waiting; resolves `started` once the engine has begun the update (or printed `begun`). */
function startStep(options: StepOptions, workspace = ws, begun = /Updating \(|^\+\s|creating|updating/m) {
  const { env } = prepareStep(workspace, options);
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const { child, done } = startAction(env, {
    onStdout: (chunk) => {
      if (begun.test(chunk)) markStarted();
    },
  });
  return { child, done, started };
}

function exportState(backendUrl: string, stack: string): { deployment: { resources?: unknown[]; pending_operations?: unknown[] } } {
  return JSON.parse(pulumiCli(ws, ['stack', 'export', '--stack', stack], backendUrl));
}

describe('cancellation', () => {
  // From before the action has its handler, through start-up and config, into the slow update.
  const MOMENTS_MS = Array.from({ length: 20 }, (_, i) => 100 + i * 330);

  it(`leaves the stack unlocked and its state valid, cancelled at ${MOMENTS_MS.length} moments`, async () => {
    const outcomes: string[] = [];
    const waitedForLock: number[] = [];
    for (const [i, moment] of MOMENTS_MS.entries()) {
      const step = startStep({ inputs: { command: 'up', stack: 'dev', config: slowConfig(`run ${i}`, 5_000) } });
      await new Promise((resolve) => setTimeout(resolve, moment));
      step.child.kill('SIGINT');
      const run: ActionRun = await step.done;
      outcomes.push(run.signal ? 'killed before start-up' : run.code === 0 ? 'finished' : 'cancelled');
      if (!run.signal && run.code !== 0) {
        expect(errorsOf(run)[0]).toMatch(/cancel/i);
        expect(run.stdout).toContain('::warning::Received SIGINT: asking the Pulumi engine to stop gracefully.');
      }
      const state = exportState(ws.backendUrl, 'dev');
      expect(Array.isArray(state.deployment.resources)).toBe(true);
      // The next run needs no `pulumi cancel` by hand: a lock left behind would outlast its lock-timeout.
      const next = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: slowConfig(`after ${i}`, 0), 'lock-timeout': '20s' } });
      if (next.stdout.includes('The stack is locked by another update')) waitedForLock.push(moment);
      expect(errorsOf(next)).toEqual([]);
      expect(next.code).toBe(0);
    }
    const tally = Object.entries(Object.groupBy(outcomes, (o) => o)).map(([o, runs]) => `${o}: ${runs!.length}`);
    console.log(`cancellation moments (ms): ${MOMENTS_MS.join(', ')}\noutcomes: ${tally.join(', ')}; next run waited for a lock after: ${waitedForLock.join(', ') || 'none'}`);
    // Most moments fall inside the slow update, so most runs were really cancelled mid-flight.
    expect(outcomes.filter((o) => o === 'cancelled').length).toBeGreaterThanOrEqual(14);
  }, 900_000);
});

describe("a cancellation that outlasts the runner's deadline", () => {
  const locksOf = (stack: string) => filesIn(path.join(ws.stateDir, '.pulumi', 'locks', 'organization', 'files-py', stack));
  const pendingOf = (stack: string) => (exportState(ws.backendUrl, stack).deployment.pending_operations ?? []) as { type: string }[];

  it('leaves no lock; the next run reports the pending operations, clears them and does not wait', async () => {
    const outDir = path.join(ws.root, 'out-deadline');
    expect((await runStep(ws, { inputs: { command: 'up', stack: 'deadline', config: slowConfig('first', 0, outDir) } })).code).toBe(0);

    // Every update takes 20 s: longer than the 10 s the runner gives a cancelled step.
    const step = startStep({ inputs: { command: 'up', stack: 'deadline', config: slowConfig('slow', 20_000, outDir) } }, ws, /^ ~ .* updating/m);
    await step.started;
    await cancelAsRunner(step.child);
    const cancelled = await step.done;
    expect(cancelled.stdout).toContain('::warning::Received SIGTERM again: terminating the Pulumi engine');
    expect(cancelled.stdout).toContain("Removed the stack's lock left by the killed update (pulumi cancel).");
    expect(locksOf('deadline')).toEqual([]);
    const pending = pendingOf('deadline');
    expect(pending.length).toBeGreaterThan(0);

    const next = await runStep(ws, { inputs: { command: 'up', stack: 'deadline', config: slowConfig('after', 0, outDir), 'lock-timeout': '1m' } });
    expect(errorsOf(next)).toEqual([]);
    expect(next.stdout).not.toMatch(/The stack is locked by another update/);
    expect(next.summary).toContain(`An earlier update was interrupted and left ${pending.length} operation`);
    expect(next.summary).toContain('which this run cleared');
    for (const op of pending) expect(next.summary).toContain(op.type);
    expect(next.summary).toMatch(/- updating urn:pulumi:deadline::files-py::pulumi-python:dynamic\/files:File::file-\d/);
    expect(pendingOf('deadline')).toEqual([]);
    expect(fs.readFileSync(path.join(outDir, 'file-0.txt'), 'utf8')).toBe('after #0\n');
  }, 300_000);

  it('does not wait for a lock left by a process of this host that no longer runs', async () => {
    // A pid that surely ran here and is gone: a process started and waited for.
    const dead = spawnSync('true').pid;
    const lockDir = path.join(ws.stateDir, '.pulumi', 'locks', 'organization', 'files-py', 'dev');
    fs.mkdirSync(lockDir, { recursive: true });
    const lock = { pid: dead, username: os.userInfo().username, hostname: os.hostname(), timestamp: new Date().toISOString() };
    fs.writeFileSync(path.join(lockDir, 'a0b1c2d3-stale.json'), JSON.stringify(lock));
    const run = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: slowConfig('unlocked', 0), 'lock-timeout': '1m' } });
    expect(errorsOf(run)).toEqual([]);
    expect(run.stdout).toContain(`Removed the stack's lock left by a process of this host that no longer runs (pid ${dead}) (pulumi cancel).`);
    expect(run.stdout).not.toMatch(/waiting \d+ s/);

    // Another host's lock is another run's: waited for, and reported when it outlasts lock-timeout.
    fs.writeFileSync(path.join(lockDir, 'e4f5-other.json'), JSON.stringify({ ...lock, hostname: 'other-runner' }));
    const blocked = await runStep(ws, { inputs: { command: 'up', stack: 'dev', config: slowConfig('blocked', 0), 'lock-timeout': '0' } });
    expect(errorsOf(blocked)[0]).toMatch(/locked by another update: .*created by \S+@other-runner/);
    fs.rmSync(lockDir, { recursive: true, force: true });
  }, 300_000);

  it("gives a smoke stack's teardown its own chance after a cancellation", async () => {
    const outDir = path.join(ws.root, 'out-smoke-cancel');
    const step = startStep({
      inputs: { command: 'smoke', stack: 'smoke-cancel', 'ephemeral-stacks': 'smoke-*', config: JSON.stringify({ delayMs: 3_000, outDir, fileCount: 2 }) },
    });
    await step.started;
    step.child.kill('SIGINT');
    const run = await step.done;
    expect(run.code).toBe(1);
    expect(errorsOf(run)[0]).toMatch(/cancel/);
    expect(filesIn(outDir)).toEqual([]);
    expect(pulumiCli(ws, ['stack', 'ls', '--json'])).not.toContain('smoke-cancel');
  }, 300_000);
});

describe('concurrent runs on one stack', () => {
  async function contend(backendUrl: string, outDir: string) {
    const base = { command: 'up', stack: 'shared', 'backend-url': backendUrl };
    const first = await runStep(ws, { inputs: { ...base, config: slowConfig('first', 0, outDir) } });
    expect({ code: first.code, errors: errorsOf(first) }).toEqual({ code: 0, errors: [] });

    const holder = startStep({ inputs: { ...base, config: slowConfig('holder', 6_000, outDir) } });
    await holder.started;
    const impatient = await runStep(ws, { inputs: { ...base, config: slowConfig('impatient', 0, outDir), 'lock-timeout': '0' } });
    const patient = startStep({ inputs: { ...base, config: slowConfig('patient', 0, outDir), 'lock-timeout': '2m' } });
    const [held, waited] = await Promise.all([holder.done, patient.done]);

    expect(impatient.code).toBe(1);
    expect(errorsOf(impatient)[0]).toMatch(/the stack is locked by another update: .*created by \S+@\S+ \(pid \d+\)/);
    expect(held.code).toBe(0);
    expect(errorsOf(waited)).toEqual([]);
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(/The stack is locked by another update; waiting/);
    // The patient run went last, so its content is what remains.
    expect(fs.readFileSync(path.join(outDir, 'file-0.txt'), 'utf8')).toBe('patient #0\n');
    expect(exportState(backendUrl, 'shared').deployment.pending_operations ?? []).toEqual([]);
  }

  it('on a file backend: the second waits with lock-timeout, or fails at once without', async () => {
    await contend(ws.backendUrl, path.join(ws.root, 'out-shared-file'));
  }, 300_000);

  it("takes no program's conflict for a lock: one attempt, failing with the program's error", async () => {
    // A cloud API's 409 as a provider reports it, an error diagnostic of one line, from the program
    // when the step's environment asks for it.
    const main = path.join(ws.root, ws.workDir, '__main__.py');
    const program = fs.readFileSync(main, 'utf8');
    fs.appendFileSync(main, '\nif os.environ.get("E2E_FAIL_WITH"):\n    pulumi.log.error(os.environ["E2E_FAIL_WITH"])\n    raise SystemExit(1)\n');
    try {
      const run = await runStep(ws, {
        inputs: { command: 'up', stack: 'dev', config: slowConfig('conflict', 0), 'lock-timeout': '20s' },
        env: { E2E_FAIL_WITH: 'HTTP 409 Conflict: another operation is in progress on bucket web-assets' },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/The stack is locked by another update; waiting/);
      expect(run.stdout.match(/^Updating \(/gm)).toHaveLength(1);
      expect(errorsOf(run)[0]).toMatch(/HTTP 409 Conflict: another operation is in progress on bucket web-assets/);
      expect(errorsOf(run)[0]).not.toMatch(/locked/);
    } finally {
      fs.writeFileSync(main, program);
    }
  }, 300_000);

  it('on PostgreSQL: the same', async () => {
    const database = createDatabase('reliability');
    try {
      await contend(database, path.join(ws.root, 'out-shared-pg'));
    } finally {
      dropDatabase(database);
    }
  }, 300_000);
});

describe('state-loss guard', () => {
  it('refuses to keep a lasting stack in RUNNER_TEMP, unless allowed', async () => {
    const runnerTemp = path.join(ws.root, 'runner-temp');
    const backend = path.join(runnerTemp, 'state');
    fs.mkdirSync(backend, { recursive: true });
    const inputs = { command: 'up', stack: 'lasting', 'backend-url': `file://${backend}`, config: slowConfig('x', 0, path.join(ws.root, 'out-temp')) };
    const refused = await runStep(ws, { inputs, env: { RUNNER_TEMP: runnerTemp } });
    expect(refused.code).toBe(1);
    expect(errorsOf(refused)[0]).toMatch(/^::error::plan: The state backend .* is inside RUNNER_TEMP/);
    expect(filesIn(backend)).toEqual([]);
    const allowed = await runStep(ws, { inputs: { ...inputs, 'allow-ephemeral-state': 'true' }, env: { RUNNER_TEMP: runnerTemp } });
    expect(allowed.code).toBe(0);
  });
});

describe('GitHub API faults', () => {
  const TOKEN: TokenSpec = { token: 'ghs_workflow', kind: 'installation' };

  it('a hanging API costs a bounded wait and a warning, never the deployment', async () => {
    const api = await startGitHubApi({ tokens: [TOKEN] });
    try {
      api.hangNext({ method: 'GET', path: /comments$/ });
      const before = Date.now();
      const run = await runStep(ws, {
        inputs: { command: 'up', stack: 'dev', config: slowConfig('hang', 0), 'github-token': TOKEN.token },
        env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'octo-org/infra' },
        eventName: 'pull_request',
        event: { number: 3, pull_request: { number: 3 } },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/::warning::Could not write the PR comment: GitHub did not answer within 15 s/);
      expect(Date.now() - before).toBeLessThan(90_000);
      expect(fs.readFileSync(path.join(ws.outDir, 'file-0.txt'), 'utf8')).toBe('hang #0\n');
      expect(snapshotState(ws).size).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  }, 120_000);
});
