// The source tree reads as the pipeline only if its modules depend one way: no module reaches back
// to one that depends on it, nor into a later stage of the pipeline, not even for a type.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Each module of src/ and the modules of src/ it imports, by path relative to src/. */
function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of fs
    .readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))) {
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

/**
 * The stages, each a folder of src/, in the order they may import one another: a module imports
 * from its own stage and the ones before it, never a later one. `base` is what every stage uses
 * (the runner's channels, the log, the run's context, markdown that neutralises untrusted text);
 * `model` the vocabulary (settings, the command records, the change model); `workspace` the edges
 * to Pulumi, the package managers, the Actions cache and GitHub's API. Then the pipeline's own
 * stages, and on top the files that run it (main.ts, index.ts).
 */
const STAGES = ['base', 'model', 'workspace', 'inputs', 'plan', 'operation', 'report', '.'] as const;

/** The files that run the pipeline, on top of it. */
const TOP = ['main.ts', 'index.ts'];

function stageOf(file: string): number {
  const folder = file.includes(path.sep) ? file.split(path.sep)[0]! : TOP.includes(file) ? '.' : undefined;
  return STAGES.indexOf(folder as (typeof STAGES)[number]);
}

/** Every import that reaches a later stage than its own, and every module outside the stages. */
function stageOrderBreaks(graph: Map<string, string[]>): string[] {
  const breaks: string[] = [];
  for (const [file, imports] of graph) {
    if (stageOf(file) < 0) breaks.push(`${file} is in no stage`);
    for (const target of imports) if (stageOf(target) > stageOf(file)) breaks.push(`${file} -> ${target}`);
  }
  return breaks;
}

describe('module graph', () => {
  it('has no import cycles', () => {
    expect(cycles(moduleGraph())).toEqual([]);
  });

  it('imports only from its own stage and earlier ones', () => {
    expect(stageOrderBreaks(moduleGraph())).toEqual([]);
  });

  it('finds an import of a later stage, and a module outside the stages', () => {
    const graph = new Map([
      [path.join('plan', 'plan.ts'), [path.join('model', 'settings.ts'), path.join('report', 'comment.ts')]],
      [path.join('report', 'comment.ts'), [path.join('plan', 'plan.ts')]],
      ['stray.ts', []],
      [path.join('elsewhere', 'x.ts'), []],
    ]);
    expect(stageOrderBreaks(graph)).toEqual([`${path.join('plan', 'plan.ts')} -> ${path.join('report', 'comment.ts')}`, 'stray.ts is in no stage', `${path.join('elsewhere', 'x.ts')} is in no stage`]);
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
