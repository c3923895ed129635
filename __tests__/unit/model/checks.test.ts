import { describe, expect, it } from '@jest/globals';
import { parseExpectOutputs } from '../../../src/inputs/inputs.js';
import { checkOutputs } from '../../../src/model/checks.js';

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
});
