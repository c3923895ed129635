// The edge to GitHub's Actions cache service: @actions/cache on a thread of its own
// (cache-worker.ts), whose copy of the environment alone holds the service's URL and token (the
// Runner hands them over; process.env never has them). A thread can be stopped at any moment, which
// is what a time budget needs; the tar it may have started works in a staging folder nobody reads
// once it is abandoned (see cache.ts).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CacheReply, CacheRequest } from './cache-worker.js';

/** The cache service as cache.ts uses it; a fake in unit tests. */
export interface CacheTransfer {
  /** Whether the runner gives a cache service this client can use. */
  available(): Promise<boolean>;
  /** The key restored (the primary one or a fallback's match), undefined when there was none. */
  restore(paths: string[], key: string, restoreKeys: string[], base: string): Promise<string | undefined>;
  /** Whether the entry was saved (a concurrent job saving the same key first is not an error). */
  save(paths: string[], key: string, base: string): Promise<boolean>;
  /** What the client printed since the last call: its problems and its other lines. */
  drain(): ClientOutput;
  /** Stops the client, whatever it is doing. */
  close(): Promise<void>;
}

export interface ClientOutput {
  /** Its `::warning::` and `::error::` messages: a service that failed it. */
  problems: string[];
  lines: string[];
}

type Request = CacheRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** Built beside main.js (scripts/bundle.mjs); a name, not a literal URL, so the bundler leaves it be. */
const WORKER_FILE = 'cache-worker.js';

/**
 * `serviceEnv`: the variables the runner gave for its cache service, which this thread's
 * environment lacks. `setSecret` registers what the library asks to mask (signed URLs).
 */
export function startCacheClient(serviceEnv: Readonly<Record<string, string>>, setSecret: (value: string) => void): CacheTransfer {
  const worker = new Worker(path.join(path.dirname(fileURLToPath(import.meta.url)), WORKER_FILE), {
    env: { ...process.env, ...serviceEnv },
    workerData: { serviceVariables: Object.keys(serviceEnv) },
    stdout: false,
    stderr: true,
  });
  // The library writes nothing to stderr itself; what reaches it (a crash) is read as a problem.
  let stderr = '';
  worker.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const pending = new Map<number, { resolve: (value: CacheReply & { kind: 'done' }) => void }>();
  let nextId = 0;
  let partial = '';
  const output: ClientOutput = { problems: [], lines: [] };
  let ended: string | undefined;
  const fail = (why: string) => {
    ended ??= why;
    for (const { resolve } of pending.values()) resolve({ kind: 'done', id: -1, error: why });
    pending.clear();
  };
  worker.on('message', (reply: CacheReply) => {
    if (reply.kind === 'output') {
      const lines = (partial + reply.text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) readLine(line.replace(/\r$/, ''), output, setSecret);
      return;
    }
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
  });
  worker.on('error', (err: Error) => fail(`the cache client stopped: ${err.message}`));
  worker.on('exit', () => fail(stderr.trim() ? `the cache client stopped: ${stderr.trim().split('\n').at(-1)}` : 'the cache client stopped'));

  const call = (request: Request): Promise<CacheReply & { kind: 'done' }> => {
    if (ended) return Promise.resolve({ kind: 'done', id: -1, error: ended });
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { resolve });
      worker.postMessage({ ...request, id });
    });
  };
  const value = async (request: Request) => {
    const reply = await call(request);
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply.value;
  };
  return {
    available: async () => (await value({ op: 'available' })) === true,
    restore: async (paths, key, restoreKeys, base) => ((await value({ op: 'restore', paths, key, restoreKeys, base })) as string | null) ?? undefined,
    // saveCache answers -1 where it saved nothing and said why in its output.
    save: async (paths, key, base) => ((await value({ op: 'save', paths, key, base })) as number) !== -1,
    drain: () => {
      const drained = { problems: [...output.problems], lines: [...output.lines] };
      output.problems.length = 0;
      output.lines.length = 0;
      return drained;
    },
    close: async () => {
      ended ??= 'the cache client was stopped';
      await worker.terminate();
    },
  };
}

/** One line of what @actions/core prints: a workflow command (`::name props::data`, data escaped) or text. */
function readLine(line: string, output: ClientOutput, setSecret: (value: string) => void): void {
  const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
  if (!command) {
    if (line.trim()) output.lines.push(line);
    return;
  }
  const [, name, data] = command;
  const text = unescapeData(data!);
  if (name === 'add-mask') setSecret(text);
  else if (name === 'warning' || name === 'error') output.problems.push(text);
  else if (name !== 'debug' && text.trim()) output.lines.push(text);
}

function unescapeData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
