// The Actions cache client, on a thread of its own (dist/cache-worker.js). @actions/cache reads the
// cache service's URL and the runtime token from process.env whenever it makes a request, and runs
// tar with process.env. The action's own process.env never holds them (runner.ts takes them out
// before anything starts, so no process the action starts inherits them); this thread's process.env
// is a copy that does, given by cache-service.ts. So the library sees the token; the tar (and the
// zstd under it) the library starts from here is given this environment without those variables,
// and the CLI, the program, its providers and the installers, started from the main thread, never
// see them either.
//
// The library prints through @actions/core (its progress, `::warning::`, `::error::` and
// `::add-mask::` for signed URLs); here that text goes to the main thread, which decides what of
// it the step's log shows (one warning for a failing service, never an error annotation).
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

export type CacheRequest =
  | { id: number; op: 'available' }
  | { id: number; op: 'restore'; paths: string[]; key: string; restoreKeys: string[]; base: string }
  | { id: number; op: 'save'; paths: string[]; key: string; base: string };

export type CacheReply = { kind: 'output'; text: string } | { kind: 'done'; id: number; value?: string | number | boolean | null; error?: string };

const port = parentPort!;
const send = (reply: CacheReply) => port.postMessage(reply);

process.stdout.write = (chunk: string | Uint8Array) => {
  send({ kind: 'output', text: String(chunk) });
  return true;
};

// The library starts tar through child_process.spawn with this thread's environment: every process
// it starts gets that environment without the service's variables (names given by cache-service.ts).
const serviceVariables = new Set((workerData as { serviceVariables: string[] }).serviceVariables);
const childProcess = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
const spawn = childProcess.spawn;
childProcess.spawn = ((command: string, args: readonly string[], options: Parameters<typeof spawn>[2] = {}) =>
  spawn(command, args, { ...options, env: Object.fromEntries(Object.entries(options.env ?? process.env).filter(([name]) => !serviceVariables.has(name))) })) as typeof spawn;
syncBuiltinESMExports();

// Loaded after stdout is redirected, and into this file: the bundle is one file.
const cache = await import(/* webpackMode: "eager" */ '@actions/cache');

port.on('message', (request: CacheRequest) => {
  void answer(request).then(
    (value) => send({ kind: 'done', id: request.id, value: value ?? null }),
    (err: unknown) => send({ kind: 'done', id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});

async function answer(request: CacheRequest): Promise<string | number | boolean | undefined> {
  if (request.op === 'available') return cache.isFeatureAvailable();
  // The archive's paths are relative to GITHUB_WORKSPACE, for tar's -C both ways: restores share
  // one staging folder, saves run one at a time.
  process.env.GITHUB_WORKSPACE = request.base;
  if (request.op === 'restore') return cache.restoreCache(request.paths, request.key, request.restoreKeys);
  return cache.saveCache(request.paths, request.key);
}
