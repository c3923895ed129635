// The source tree reads as the pipeline only if its modules depend one way: no module reaches back
// to one that depends on it, not even for a type.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Each module of src/ and the modules of src/ it imports, by path relative to src/. */
function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of fs.readdirSync(SRC, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'))) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(SRC, file), 'utf8'), true, true);
    const local = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => path.relative(SRC, path.resolve(SRC, path.dirname(file), name)).replace(/\.js$/, '.ts'));
    graph.set(file, local);
  }
  return graph;
}

/** Every cycle, as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (module: string, trail: string[]) => {
    const at = trail.indexOf(module);
    if (at >= 0) return void found.push([...trail.slice(at), module]);
    if (done.has(module)) return;
    for (const next of graph.get(module) ?? []) visit(next, [...trail, module]);
    done.add(module);
  };
  for (const module of graph.keys()) visit(module, []);
  return found;
}

describe('module graph', () => {
  it('has no import cycles', () => {
    expect(cycles(moduleGraph())).toEqual([]);
  });

  it('finds a cycle where there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('resolves the imports of src/', () => {
    const graph = moduleGraph();
    expect(graph.get('main.ts')).toContain(path.join('operation', 'operation.ts'));
    expect(graph.get(path.join('report', 'build.ts'))).toContain(path.join('model', 'commands.ts'));
    for (const imports of graph.values()) for (const target of imports) expect(graph.has(target)).toBe(true);
  });
});
