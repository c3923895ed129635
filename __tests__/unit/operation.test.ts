import { describe, expect, it } from '@jest/globals';
import { parseExpectOutputs } from '../../src/inputs.js';
import { checkOutputs, lockHolder, pulumiErrorMessage } from '../../src/operation.js';

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
  const commandError = (stderr: string) => Object.assign(new Error('code: 255'), { commandResult: { stderr, stdout: '' } });

  it("keeps Pulumi's error lines and drops the rest", () => {
    expect(pulumiErrorMessage(commandError('warning: x\nerror: no stack named dev found\n  at foo'))).toBe('error: no stack named dev found');
  });

  it('recognizes a lock held by another update, with its holder', () => {
    const err = commandError('error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/organization/p/dev/x.json: created by runner@host (pid 42) at 2026-11-30T01:00:00Z');
    expect(lockHolder(err)).toMatch(/currently locked/);
    expect(lockHolder(commandError('error: something else'))).toBeUndefined();
  });
});
