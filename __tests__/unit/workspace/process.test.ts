// What a command prints, read as lines: whole ones, however the chunks fall, and an endless one cut.
import { describe, expect, it } from '@jest/globals';
import { lineSplitter, MAX_LINE_CHARS } from '../../../src/workspace/process.js';

function linesOf(chunks: readonly (string | Buffer)[]): string[] {
  const lines: string[] = [];
  const split = lineSplitter((line) => lines.push(line));
  for (const chunk of chunks) split(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  split(null);
  return lines;
}

describe('lineSplitter', () => {
  it('ends lines at \\n and \\r\\n, keeps a lone \\r, and flushes the last partial line', () => {
    expect(linesOf(['a\r\nb', '\nc\rd\n', 'e'])).toEqual(['a', 'b', 'c\rd', 'e']);
    expect(linesOf(['x\n'])).toEqual(['x']);
  });

  it('decodes a character split between chunks', () => {
    const euro = Buffer.from('€\n');
    expect(linesOf([euro.subarray(0, 1), euro.subarray(1)])).toEqual(['€']);
  });

  it('cuts a line past MAX_LINE_CHARS, counts what it dropped, and goes on with the next', () => {
    const chunk = 'y'.repeat(1000);
    const lines = linesOf([...Array.from({ length: 100 }, () => chunk), '\nnext\n']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${'y'.repeat(MAX_LINE_CHARS)} … (${100_000 - MAX_LINE_CHARS} more characters cut)`);
    expect(lines[1]).toBe('next');
  });
});
