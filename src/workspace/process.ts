// External commands run with an argument array, never through a shell, so no input can become code.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number;
  /** The last lines of stdout and stderr together, for error messages. */
  tail: string[];
  /** Everything the command wrote to stderr (its last 1 MiB). */
  stderr: string;
  /** Killed, with everything it started, because `terminate` came and it did not exit in time. */
  killed: boolean;
}

export interface ProcessOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Each whole line the command writes, to stdout (and to stderr unless `logStderr` is false). */
  onLine?: (line: string) => void;
  logStderr?: boolean;
  /** Aborting sends `stopSignal` (default SIGTERM, as the runner would) once, and waits for the exit. */
  signal?: AbortSignal;
  stopSignal?: NodeJS.Signals;
  /**
   * The runner's second signal: `stopSignal` again (the Pulumi CLI's "terminate now") and, should the
   * command still run TERMINATE_GRACE_MS later, SIGKILL to it and everything it started. The command
   * then runs in a process group of its own, which also keeps a terminal's Ctrl-C from reaching it
   * besides the `stopSignal` this process sends.
   */
  terminate?: AbortSignal;
  /** Written to the command's standard input, which is otherwise empty. */
  input?: string;
}

const TAIL_LINES = 30;
/** The runner kills the step 2.5 s after its second signal: this leaves time to clean up after the kill. */
const TERMINATE_GRACE_MS = 1_000;
const MAX_STDERR = 1 << 20;

export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const stopSignal = options.stopSignal ?? 'SIGTERM';
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe', detached: options.terminate !== undefined });
    let killed = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => child.kill(stopSignal);
    const terminate = () => {
      stop();
      killTimer = setTimeout(() => {
        killed = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }, TERMINATE_GRACE_MS);
    };
    onAbort(options.signal, stop);
    onAbort(options.terminate, terminate);
    // A command that exits without reading it all must not fail the write (EPIPE).
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
    const tail: string[] = [];
    let stderr = '';
    const keep = (log: boolean) => (line: string) => {
      if (log) options.onLine?.(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const onStdout = lineSplitter(keep(true));
    const onStderr = lineSplitter(keep(options.logStderr ?? true));
    child.stdout.on('data', onStdout);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
      onStderr(chunk);
    });
    child.on('error', (err) => reject(new Error(`could not start ${command}: ${err.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', stop);
      options.terminate?.removeEventListener('abort', terminate);
      onStdout(null);
      onStderr(null);
      resolve({ code: code ?? (signal ? 128 : 1), tail, stderr, killed });
    });
  });
}

function onAbort(signal: AbortSignal | undefined, handler: () => void): void {
  if (signal?.aborted) handler();
  else signal?.addEventListener('abort', handler, { once: true });
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
