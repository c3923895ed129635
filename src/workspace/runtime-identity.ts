// What a program's dependencies are built for: the exact interpreter or runtime, asked of the
// program itself. A file's path and timestamp cannot say it: `python3` on PATH is often a shim
// (pyenv, asdf, mise) whose file never changes while the interpreter behind it does, and on a fresh
// runner every tool is a new file with a new timestamp while the interpreter is the same one. So
// the answer is the interpreter's own: for Python its full version and the installation a virtual
// environment made from it points at (`sys.base_prefix`); for Node.js its version. One short process
// each (about 10 ms for a real binary, 100 ms through a pyenv shim), started beside the CLI lookup.
import { executableIdentity } from './dependency-plan.js';
import { runProcess } from './process.js';

/** `-I`: no user site or PYTHON* variables; `-S`: no site module, which only slows the answer. */
const PYTHON_IDENTITY = ['-I', '-S', '-c', 'import sys; print(sys.version.replace("\\n", " ")); print(sys.base_prefix); print(sys.platform)'];

/**
 * The interpreter behind `python`: its version (with build date and compiler), its installation and
 * platform. An interpreter that does not answer is named by its file instead, which is never wrong
 * but only ever matches on the same machine.
 */
export async function pythonIdentity(python: string, cwd: string, signal?: AbortSignal): Promise<string> {
  return (await ask(python, PYTHON_IDENTITY, cwd, 3, signal)) ?? executableIdentity(python);
}

/** The Node.js behind `node`: `node --version` answers without starting JavaScript. */
export async function nodeIdentity(node: string, cwd: string, signal?: AbortSignal): Promise<string> {
  const version = await ask(node, ['--version'], cwd, 1, signal);
  return version ? `node ${version} ${process.platform}-${process.arch}` : executableIdentity(node);
}

async function ask(command: string, args: string[], cwd: string, lines: number, signal?: AbortSignal): Promise<string | undefined> {
  const stdout: string[] = [];
  try {
    const result = await runProcess(command, args, { cwd, onLine: (line) => stdout.push(line), logStderr: false, signal });
    const answer = stdout.map((line) => line.trim()).filter(Boolean);
    return result.code === 0 && answer.length === lines ? answer.join(' | ') : undefined;
  } catch {
    return undefined;
  }
}
