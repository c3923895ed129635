// External commands run with an argument array, never through a shell, so no input can become code.
// What they print is read in time linear in its size, whatever its shape: a line is cut at
// MAX_LINE_CHARS, and stderr kept to its last MAX_STDERR bytes, so a command that prints one endless
// line neither stalls the action (signals go unanswered while it works) nor fills its memory.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

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
/** Far longer than any line worth reading in a log; the rest of a longer one is dropped and counted. */
export const MAX_LINE_CHARS = 64 * 1024;

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
    const stderr = new LastBytes(MAX_STDERR);
    const keep = (log: boolean) => (line: string) => {
      if (log) options.onLine?.(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const onStdout = lineSplitter(keep(true));
    const onStderr = lineSplitter(keep(options.logStderr ?? true));
    child.stdout.on('data', onStdout);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      onStderr(chunk);
    });
    child.on('error', (err) => reject(new Error(`could not start ${command}: ${err.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', stop);
      options.terminate?.removeEventListener('abort', terminate);
      onStdout(null);
      onStderr(null);
      resolve({ code: code ?? (signal ? 128 : 1), tail, stderr: stderr.text(), killed });
    });
  });
}

function onAbort(signal: AbortSignal | undefined, handler: () => void): void {
  if (signal?.aborted) handler();
  else signal?.addEventListener('abort', handler, { once: true });
}

/**
 * Turns chunks into whole lines (`\n` or `\r\n` ends one); a null chunk flushes the last partial
 * line. Each chunk is scanned once: the text of a line still open is kept in pieces, not joined and
 * searched again with every chunk, and past MAX_LINE_CHARS it is no longer kept, only counted.
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | null) => void {
  const decoder = new StringDecoder('utf8');
  let pieces: string[] = [];
  let kept = 0;
  let dropped = 0;
  const add = (text: string) => {
    const room = MAX_LINE_CHARS - kept;
    if (text.length > room) dropped += text.length - room;
    if (room > 0) pieces.push(room >= text.length ? text : text.slice(0, room));
    kept += Math.min(room, text.length);
  };
  const end = () => {
    const line = pieces.join('');
    onLine((line.endsWith('\r') && dropped === 0 ? line.slice(0, -1) : line) + (dropped > 0 ? ` … (${dropped} more characters cut)` : ''));
    pieces = [];
    kept = 0;
    dropped = 0;
  };
  return (chunk) => {
    const text = chunk === null ? decoder.end() : decoder.write(chunk);
    let from = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
      add(text.slice(from, at));
      end();
      from = at + 1;
    }
    add(text.slice(from));
    if (chunk === null && kept + dropped > 0) end();
  };
}

/** The last `max` bytes of a stream, kept as its chunks: no copying of what is kept with each one. */
class LastBytes {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.max) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}
