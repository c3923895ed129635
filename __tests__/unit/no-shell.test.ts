// Every external command is started with an argument array, never through a shell string built
// from input: one module may start processes, and it never asks for a shell.
import { describe, expect, it } from '@jest/globals';
import * as path from 'node:path';
import { sourceFiles } from '../support/sources.js';

const sources = sourceFiles();

describe('no shell', () => {
  it('starts processes only in workspace/process.ts', () => {
    const starters = sources.filter(({ text }) => /from 'node:child_process'|require\('child_process'\)|from 'child_process'/.test(text)).map((s) => s.file);
    expect(starters).toEqual([path.join('workspace', 'process.ts')]);
  });

  it('never asks for a shell', () => {
    for (const { file, text } of sources) expect({ file, shell: /shell\s*:\s*(true|['"`])/.test(text) }).toEqual({ file, shell: false });
  });

  it('spawns with a command and an argument array, and imports nothing that takes a command line', () => {
    const processModule = sources.find((s) => s.file === path.join('workspace', 'process.ts'))!.text;
    expect(processModule).toMatch(/^import \{ spawn \} from 'node:child_process';$/m);
    expect(processModule).toMatch(/spawn\(command, args, \{/);
    expect(processModule).toMatch(/args: readonly string\[\]/);
  });
});
