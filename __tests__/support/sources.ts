// The action's own modules as text, for the tests that hold rules about the whole source tree.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SRC = path.resolve(import.meta.dirname, '../../src');

/** Every module of src/, by path relative to it, with its text. */
export function sourceFiles(): { file: string; text: string }[] {
  return fs
    .readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(SRC, f), 'utf8') }));
}
