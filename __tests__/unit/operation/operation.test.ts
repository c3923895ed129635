// The operation stage's orchestration, over a fake stack: which steps run after a failure, lock
// retries, teardown errors and cancellation. The end-to-end suites run the same code on the real CLI.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { streamOf, type GeneratedResource } from '../../support/events.js';
import { lockHolder, runSteps, staleLocalLock } from '../../../src/operation/operation.js';
import { planRun } from '../../../src/plan/plan.js';
import { Redactor } from '../../../src/operation/redact.js';
import type { EngineHooks, OperationStack } from '../../../src/operation/steps.js';
import { PulumiCommandError } from '../../../src/workspace/engine.js';
import { stackSettings } from '../../support/settings.js';

/** What one engine command does on the fake: the events it emits and lines it prints, then how it ends. */
type Script = (args: readonly string[], hooks: EngineHooks) => Promise<void>;

/** An engine command that succeeds after emitting the events of `resources`. */
const emits =
  (resources: GeneratedResource[], lines: string[] = []): Script =>
  async (_, hooks) => {
    streamOf(resources).forEach((event: EngineEvent) => hooks.onEvent(event));
    lines.forEach((line) => hooks.onOutput(line));
  };

/** A preview that saves an update plan (`--save-plan`) with the step each resource's event shows. */
const previews =
  (resources: GeneratedResource[]): Script =>
  async (args, hooks) => {
    const file = args[args.indexOf('--save-plan') + 1]!;
    const urn = (name: string) => `urn:pulumi:prod::shop::x:y:Z::${name}`;
    fs.writeFileSync(file, JSON.stringify({ resourcePlans: Object.fromEntries(resources.map((r) => [urn(r.name), { steps: [r.op] }])) }));
    await emits(resources)(args, hooks);
  };

const fails = (stderr: string) => async (): Promise<void> => {
  throw new PulumiCommandError({ stdout: '', stderr, code: 255 });
};

/** The self-managed backends' message, as the CLI prints it (backend/diy/lock.go). */
const locked = (host: string, pid: number) =>
  'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n' +
  `  file:///state/.pulumi/locks/organization/shop/smoke-1/x.json: created by runner@${host} (pid ${pid}) at 2026-12-01T10:00:00Z\n`;

/** A stack whose engine commands follow `scripts` in order, the last one repeating. */
class FakeStack implements OperationStack {
  readonly calls: string[][] = [];
  readonly cancels: string[] = [];

  constructor(private readonly scripts: Script[]) {}

  async run(args: readonly string[], hooks: EngineHooks) {
    this.calls.push([...args]);
    const script = this.scripts[Math.min(this.calls.length - 1, this.scripts.length - 1)]!;
    await script(args, hooks);
    return {};
  }

  async outputs() {
    return { url: { value: 'https://shop.example', secret: false } };
  }

  async exportStack() {
    return { version: 3, deployment: { pending_operations: [{ type: 'creating', resource: { urn: 'urn:pulumi:smoke-1::shop::x:y:Z::a' } }] } };
  }

  async cancel(whose: string) {
    this.cancels.push(whose);
  }
}

const live = () => ({ signal: new AbortController().signal, terminate: new AbortController().signal });
const commands = (stack: FakeStack) => stack.calls.map((args) => args.slice(0, args.includes('--remove') ? 4 : 1).join(' '));

describe('runSteps', () => {
  const smoke = stackSettings({ command: 'smoke', stack: 'smoke-1', ephemeralStacks: ['smoke-*'], smoke: { expectOutputs: [{ key: 'url', matches: /^https:/ }] } });

  it('tears a smoke stack down after its update failed, and reports both', async () => {
    const stack = new FakeStack([fails('error: update failed\nerror: quota exceeded'), emits([])]);
    const outcome = await runSteps(stack, smoke, planRun(smoke), live(), new Redactor());
    expect(commands(stack)).toEqual(['up', 'destroy --yes --skip-preview --remove']);
    expect(outcome.error).toBe('error: update failed\nerror: quota exceeded');
    expect(outcome.lifecycle.map((l) => [l.step, l.ok])).toEqual([
      ['up', false],
      ['destroy-and-remove', true],
    ]);
  });

  it('reports a failed teardown beside a passed test, and keeps none of its events', async () => {
    const stack = new FakeStack([emits([{ name: 'web', op: 'create' }]), fails('error: could not delete web')]);
    const outcome = await runSteps(stack, smoke, planRun(smoke), live(), new Redactor());
    expect(outcome.checks).toEqual([{ key: 'url', expected: '/^https:/', actual: 'https://shop.example', passed: true }]);
    expect(outcome.error).toBe('teardown failed: error: could not delete web');
    expect(outcome.changes.counts.create).toBe(1);
    expect(outcome.changes.counts.delete).toBe(0);
  });

  it('waits for another update to release the lock, keeping only the last attempt’s events', async () => {
    const settings = stackSettings({ command: 'up', stack: 'dev', lockTimeoutMs: 30_000 });
    const firstTry: Script = async (args, hooks) => {
      await emits([{ name: 'half', op: 'create' }])(args, hooks);
      await fails(locked('elsewhere', 1))();
    };
    const stack = new FakeStack([firstTry, emits([{ name: 'web', op: 'update', diffs: ['size'] }])]);
    const outcome = await runSteps(stack, settings, planRun(settings), live(), new Redactor());
    expect(commands(stack)).toEqual(['up', 'up']);
    expect(outcome.error).toBeUndefined();
    expect(outcome.changes.resources.map((r) => [r.name, r.op])).toEqual([['web', 'update']]);
  });

  it('gives up at lock-timeout with the lock holder named', async () => {
    const settings = stackSettings({ command: 'up', stack: 'dev', lockTimeoutMs: 0 });
    const stack = new FakeStack([fails(locked('elsewhere', 1))]);
    const outcome = await runSteps(stack, settings, planRun(settings), live(), new Redactor());
    expect(stack.calls).toHaveLength(1);
    expect(outcome.error).toMatch(/^the stack is locked by another update: .* created by runner@elsewhere \(pid 1\)/);
  });

  it('removes a lock left by a process of this host that is gone, once, then runs', async () => {
    const settings = stackSettings({ command: 'up', stack: 'dev', lockTimeoutMs: 0 });
    const stack = new FakeStack([fails(locked(os.hostname(), 2 ** 22 + 17)), emits([])]);
    const outcome = await runSteps(stack, settings, planRun(settings), live(), new Redactor());
    expect(stack.cancels).toEqual([`a process of this host that no longer runs (pid ${2 ** 22 + 17})`]);
    expect(commands(stack)).toEqual(['up', 'up']);
    expect(outcome.error).toBeUndefined();
  });

  it('after a cancellation starts nothing new but the teardown, and lists what was left pending', async () => {
    const cancel = new AbortController();
    const interrupted: Script = async () => {
      cancel.abort();
      await fails('error: update canceled')();
    };
    const stack = new FakeStack([interrupted, emits([])]);
    const outcome = await runSteps(stack, smoke, planRun(smoke), { signal: cancel.signal, terminate: new AbortController().signal }, new Redactor());
    expect(commands(stack)).toEqual(['up', 'destroy --yes --skip-preview --remove']);
    expect(outcome.cancelled).toBe(true);
    expect(outcome.error).toBe('cancelled: error: update canceled');
    expect(outcome.pendingOperations).toEqual(['creating urn:pulumi:smoke-1::shop::x:y:Z::a']);
  });

  it('runs no step at all once cancelled before the first', async () => {
    const cancel = new AbortController();
    cancel.abort();
    const settings = stackSettings({ command: 'preview', stack: 'dev' });
    const stack = new FakeStack([emits([])]);
    const outcome = await runSteps(stack, settings, planRun(settings), { signal: cancel.signal, terminate: new AbortController().signal }, new Redactor());
    expect(stack.calls).toEqual([]);
    expect(outcome.error).toBe('cancelled: cancelled before preview; nothing further was started.');
  });

  it('refuses an update whose preview deletes, with the preview as the report', async () => {
    const settings = stackSettings({ command: 'up', stack: 'prod', deletesNeedApproval: true });
    const stack = new FakeStack([
      previews([
        { name: 'db', op: 'delete' },
        { name: 'web', op: 'update' },
      ]),
    ]);
    const outcome = await runSteps(stack, settings, planRun(settings), live(), new Redactor());
    expect(commands(stack)).toEqual(['preview']);
    expect(outcome.refusal).toMatch(/stack 'prod' would delete or replace resources/);
    expect(outcome.error).toBeUndefined();
    expect(outcome.changes.resources.map((r) => r.op)).toEqual(['delete', 'update']);
  });

  it('lets an update through when its preview deletes nothing, applying the plan the preview saved, and then removes it', async () => {
    const settings = stackSettings({ command: 'up', stack: 'prod', deletesNeedApproval: true });
    const stack = new FakeStack([previews([{ name: 'web', op: 'update' }]), emits([{ name: 'web', op: 'update' }])]);
    const outcome = await runSteps(stack, settings, planRun(settings), live(), new Redactor());
    expect(commands(stack)).toEqual(['preview', 'up']);
    const saved = stack.calls[0]![stack.calls[0]!.indexOf('--save-plan') + 1]!;
    expect(stack.calls[1]![stack.calls[1]!.indexOf('--plan') + 1]).toBe(saved);
    expect(fs.existsSync(path.dirname(saved))).toBe(false);
    expect(outcome.changes.counts.update).toBe(1);
  });

  it('fails closed when the preview leaves no plan, or its events stop before the summary', async () => {
    const settings = stackSettings({ command: 'up', stack: 'prod', deletesNeedApproval: true });
    const noPlan = new FakeStack([emits([{ name: 'web', op: 'update' }]), emits([])]);
    const refused = await runSteps(noPlan, settings, planRun(settings), live(), new Redactor());
    expect(commands(noPlan)).toEqual(['preview']);
    expect(refused.refusal).toMatch(/left an update plan that cannot be read \(there is no such file\)/);

    const cut: Script = async (args, hooks) => {
      await previews([{ name: 'web', op: 'update' }])(args, { ...hooks, onEvent: (event) => event.summaryEvent === undefined && hooks.onEvent(event) });
    };
    const noSummary = new FakeStack([cut, emits([])]);
    const outcome = await runSteps(noSummary, settings, planRun(settings), live(), new Redactor());
    expect(commands(noSummary)).toEqual(['preview']);
    expect(outcome.refusal).toMatch(/ended without its summary/);
  });

  it("says which plan an update broke: the gate preview's, or a reviewed one", async () => {
    const violation = 'error: delete is not allowed by the plan: this resource is constrained to same';
    const gated = stackSettings({ command: 'up', stack: 'prod', deletesNeedApproval: true });
    const stack = new FakeStack([previews([{ name: 'web', op: 'same' }]), fails(violation)]);
    const outcome = await runSteps(stack, gated, planRun(gated), live(), new Redactor());
    expect(outcome.error).toMatch(/^the update went beyond what its 'deletes-need-approval' preview showed .*Pulumi said: error: delete is not allowed by the plan/);
    const plain = stackSettings({ command: 'up', stack: 'prod' });
    const reviewed = await runSteps(new FakeStack([fails(violation)]), plain, planRun(plain), live(), new Redactor());
    expect(reviewed.error).toMatch(/^the program or its config changed since the plan was saved/);
  });

  it("masks the run's secrets in the log it keeps and in the error", async () => {
    const settings = stackSettings({ command: 'preview', stack: 'dev' });
    const leaky: Script = async (args, hooks) => {
      await emits([], ['connecting with hunter2'])(args, hooks);
      await fails('error: hunter2 was refused')();
    };
    const outcome = await runSteps(new FakeStack([leaky]), settings, planRun(settings), live(), new Redactor().add(['hunter2']));
    expect(outcome.logTail).toEqual(['connecting with ***']);
    expect(outcome.error).toBe('error: *** was refused');
  });
});

describe('Pulumi errors', () => {
  const commandError = (stderr: string) => new PulumiCommandError({ stderr, stdout: '', code: 255 });

  it('recognizes a lock held by another update, with its holder', () => {
    const err = commandError(
      'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/organization/p/dev/x.json: created by runner@host (pid 42) at 2026-11-30T01:00:00Z',
    );
    expect(lockHolder(err)).toBe(
      'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`. file:///s/.pulumi/locks/organization/p/dev/x.json: created by runner@host (pid 42) at 2026-11-30T01:00:00Z',
    );
    expect(lockHolder(commandError('error: [409] Conflict: Another update is currently in progress.\n'))).toMatch(/Another update/);
    expect(lockHolder(commandError('error: something else'))).toBeUndefined();
  });

  it("takes no program's or provider's conflict for a lock", () => {
    for (const text of ['error: 409 Conflict: bucket name taken', 'error: Operation cannot be fulfilled on deployments.apps "web": the object has been modified (Conflict)']) {
      expect(lockHolder(commandError(text))).toBeUndefined();
    }
    const diagnostic = new PulumiCommandError({ stdout: '    error: the stack is currently locked by my program', stderr: 'error: update failed', code: 255 });
    expect(lockHolder(diagnostic)).toBeUndefined();
  });

  it('takes a lock for stale only when every holder is a process of this host that is gone', () => {
    const holder = (...who: string[]) => `error: the stack is currently locked by ${who.length} lock(s). ${who.map((w) => `file:///s/x.json: created by ${w} at 2026-12-01T10:00:00Z`).join(' ')}`;
    const runs = (pid: number) => pid === 7;
    expect(staleLocalLock(holder('me@here (pid 42)'), 'here', runs)).toBe('a process of this host that no longer runs (pid 42)');
    expect(staleLocalLock(holder('me@here (pid 42)', 'you@here (pid 43)'), 'here', runs)).toMatch(/pid 42, 43/);
    expect(staleLocalLock(holder('me@here (pid 7)'), 'here', runs)).toBeUndefined();
    expect(staleLocalLock(holder('me@there (pid 42)'), 'here', runs)).toBeUndefined();
    expect(staleLocalLock(holder('me@here (pid 42)', 'me@there (pid 42)'), 'here', runs)).toBeUndefined();
    expect(staleLocalLock('error: [409] Conflict: Another update is currently in progress.', 'here', runs)).toBeUndefined();
  });
});
