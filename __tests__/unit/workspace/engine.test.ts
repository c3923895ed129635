import { describe, expect, it } from '@jest/globals';
// The colour test also reads a lock's holder out of the cleaned text, as the operation does.
import { lockHolder } from '../../../src/operation/operation.js';
import { PulumiCommandError, isStackNotFound, pulumiErrorMessage, rootStackOutputs, withoutColor } from '../../../src/workspace/engine.js';

describe('Pulumi errors', () => {
  const commandError = (stderr: string) => new PulumiCommandError({ stderr, stdout: '', code: 255 });

  it("keeps Pulumi's error lines and drops the rest", () => {
    expect(pulumiErrorMessage(commandError('warning: x\nerror: no stack named dev found\n  at foo'))).toBe('error: no stack named dev found');
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
      assets: {
        'project.yaml': { '4dabf18193072939515e22adb298388d': 'c44067f5952c0a294b673a41bacd8c17', hash: 'bb209d0b1476658489aec920e01b3e2ed4b767608c771c6640b491d060eca850', path: 'Pulumi.yaml' },
      },
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
    expect(rootStackOutputs({ sequence: 1, timestamp: 0, cancelEvent: {} })).toBeUndefined();
  });
});
