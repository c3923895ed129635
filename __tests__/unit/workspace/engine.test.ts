import { describe, expect, it } from '@jest/globals';
import { parseExpectOutputs } from '../../../src/inputs/inputs.js';
import { lockHolder, staleLocalLock } from '../../../src/operation/operation.js';
import { checkOutputs } from '../../../src/model/checks.js';
import { PulumiCommandError, isStackNotFound, pulumiErrorMessage, rootStackOutputs, withoutColor } from '../../../src/workspace/engine.js';

describe('checkOutputs', () => {
  const outputs = {
    url: { value: 'https://example.test/app', secret: false },
    count: { value: 3, secret: false },
    tags: { value: ['a', 'b'], secret: false },
    password: { value: 'hunter2', secret: true },
  };

  it('compares exact values and patterns, key by key', () => {
    const expectations = parseExpectOutputs('{"url": "/^https:\\\\/\\\\//", "count": 3, "tags": ["a", "b"], "missing": "x", "password": "/hunter/"}');
    expect(checkOutputs(outputs, expectations)).toEqual([
      { key: 'url', expected: '/^https:\\/\\//', actual: 'https://example.test/app', passed: true },
      { key: 'count', expected: '3', actual: '3', passed: true },
      { key: 'tags', expected: '["a","b"]', actual: '["a","b"]', passed: true },
      { key: 'missing', expected: 'x', actual: '(missing)', passed: false },
      { key: 'password', expected: '/hunter/', actual: '[secret]', passed: true },
    ]);
  });

  it('fails a value of another type', () => {
    expect(checkOutputs(outputs, parseExpectOutputs('{"count": "3"}'))[0]!.passed).toBe(false);
  });

  it('rejects an invalid pattern as bad input', () => {
    expect(() => parseExpectOutputs('{"url": "/[/"}')).toThrow(/Input 'expect-outputs' key 'url' has an invalid pattern/);
  });
});

describe('Pulumi errors', () => {
  const commandError = (stderr: string) => new PulumiCommandError({ stderr, stdout: '', code: 255 });

  it("keeps Pulumi's error lines and drops the rest", () => {
    expect(pulumiErrorMessage(commandError('warning: x\nerror: no stack named dev found\n  at foo'))).toBe('error: no stack named dev found');
  });

  it('recognizes a lock held by another update, with its holder', () => {
    const err = commandError('error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/organization/p/dev/x.json: created by runner@host (pid 42) at 2026-11-30T01:00:00Z');
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

  it("takes a lock for stale only when every holder is a process of this host that is gone", () => {
    const holder = (...who: string[]) => `error: the stack is currently locked by ${who.length} lock(s). ${who.map((w) => `file:///s/x.json: created by ${w} at 2026-12-01T10:00:00Z`).join(' ')}`;
    const runs = (pid: number) => pid === 7;
    expect(staleLocalLock(holder('me@here (pid 42)'), 'here', runs)).toBe('a process of this host that no longer runs (pid 42)');
    expect(staleLocalLock(holder('me@here (pid 42)', 'you@here (pid 43)'), 'here', runs)).toMatch(/pid 42, 43/);
    expect(staleLocalLock(holder('me@here (pid 7)'), 'here', runs)).toBeUndefined();
    expect(staleLocalLock(holder('me@there (pid 42)'), 'here', runs)).toBeUndefined();
    expect(staleLocalLock(holder('me@here (pid 42)', 'me@there (pid 42)'), 'here', runs)).toBeUndefined();
    expect(staleLocalLock('error: [409] Conflict: Another update is currently in progress.', 'here', runs)).toBeUndefined();
  });

  it("reads the CLI's words without its colours, ANSI or its own markup", () => {
    const failed = (stderr: string) => {
      try {
        PulumiCommandError.throwIfFailed({ code: 255, tail: [stderr], stderr, killed: false });
      } catch (err) {
        return err;
      }
      throw new Error('did not throw');
    };
    const locked = failed('\x1b[31;1merror: \x1b[0mthe stack is currently locked by 1 lock(s).\n  file:///s/x.json: created by runner@host (pid 42) at 2026-11-30T01:00:00Z\n');
    expect(lockHolder(locked)).toBe('error: the stack is currently locked by 1 lock(s). file:///s/x.json: created by runner@host (pid 42) at 2026-11-30T01:00:00Z');
    const missing = failed("<{%fg 1%}>error: <{%reset%}>no stack named 'organization/p/dev' found<{%reset%}>\n");
    expect(isStackNotFound(missing)).toBe(true);
    expect(pulumiErrorMessage(missing)).toBe("error: no stack named 'organization/p/dev' found");
    expect(withoutColor('\x1b[38;5;2m+ \x1b[0mcreate <{%bold%}>x<{%reset%}>')).toBe('+ create x');
  });

  it('recognizes a stack the backend does not have', () => {
    expect(isStackNotFound(commandError("error: no stack named 'organization/p/dev' found"))).toBe(true);
    expect(isStackNotFound(commandError('error: stack dev is locked'))).toBe(false);
  });
});

describe('stack outputs from engine events', () => {
  const SECRET = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: '[secret]' };
  const outputsEvent = (type: string, outputs: Record<string, unknown>) =>
    ({ sequence: 1, timestamp: 0, resOutputsEvent: { metadata: { op: 'same', urn: `urn:pulumi:dev::p::${type}::x`, type, new: { outputs } } } }) as never;

  it("reads the root stack's outputs, a secret without its value, a nested secret masked", () => {
    expect(rootStackOutputs(outputsEvent('pulumi:pulumi:Stack', { url: 'https://x', n: 3, token: SECRET, conn: { host: 'h', password: SECRET }, list: [SECRET, 'a'] }))).toEqual({
      url: { value: 'https://x', secret: false },
      n: { value: 3, secret: false },
      token: { value: undefined, secret: true },
      conn: { value: { host: 'h', password: '[secret]' }, secret: false },
      list: { value: ['[secret]', 'a'], secret: false },
    });
  });

  it('keeps an asset and an archive, special values that are not secrets, as the CLI writes them', () => {
    // As the engine's events gave them for examples/typescript (a text asset's text left out).
    const asset = { '4dabf18193072939515e22adb298388d': 'c44067f5952c0a294b673a41bacd8c17', hash: '70a2afcf7ddb253a93e5df6fe82a238b92bccfac0795fec5be922706634529af', text: '<contents elided>' };
    const archive = {
      '4dabf18193072939515e22adb298388d': '0def7320c3a5731c473e5ecbe6d01bc7',
      assets: { 'project.yaml': { '4dabf18193072939515e22adb298388d': 'c44067f5952c0a294b673a41bacd8c17', hash: 'bb209d0b1476658489aec920e01b3e2ed4b767608c771c6640b491d060eca850', path: 'Pulumi.yaml' } },
      hash: '21f2037f9daaf171d71b6daf0a3dbc814a2963bfef9d70ba3f8bbc823eefcff4',
    };
    expect(rootStackOutputs(outputsEvent('pulumi:pulumi:Stack', { notes: asset, bundle: archive, both: { notes: asset, token: SECRET } }))).toEqual({
      notes: { value: asset, secret: false },
      bundle: { value: archive, secret: false },
      both: { value: { notes: asset, token: '[secret]' }, secret: false },
    });
  });

  it('ignores every other resource and event', () => {
    expect(rootStackOutputs(outputsEvent('random:index:RandomId', { hex: 'ab' }))).toBeUndefined();
    expect(rootStackOutputs({ sequence: 1, timestamp: 0, cancelEvent: {} } as never)).toBeUndefined();
  });
});
