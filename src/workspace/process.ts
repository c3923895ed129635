// External commands run with an argument array, never through a shell, so no input can become code.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number;
  /** The last lines of stdout and stderr together, for error messages. */
  tail: string[];
}

const TAIL_LINES = 30;

export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; signal?: AbortSignal },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    // A cancelled run stops the installer too (SIGTERM, as the runner would).
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGTERM',
    });
    const tail: string[] = [];
    const onData = lineSplitter((line) => {
      options.onLine?.(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    });
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      if (err.name !== 'AbortError') reject(new Error(`could not start ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      onData(null);
      resolve({ code: code ?? (signal ? 128 : 1), tail });
    });
  });
}

/** Turns chunks into whole lines; a null chunk flushes the last partial line. */
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | null) => void {
  let pending = '';
  return (chunk) => {
    if (chunk === null) {
      if (pending) onLine(pending);
      pending = '';
      return;
    }
    const lines = (pending + chunk.toString('utf8')).split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
}
