/**
 * A local stand-in for GitHub.com's Actions cache service as it is today (what @actions/cache calls
 * "cache service v2"), for end-to-end tests: nektos/act serves only the protocol GitHub Enterprise
 * Server uses, and no other implementation of this one is at hand.
 *
 * It answers the three Twirp methods of `github.actions.results.api.v1.CacheService` (JSON, field
 * names as the protobuf declares them), and stores the archives itself behind the "signed" URLs it
 * hands out, answering them as Azure Blob Storage answers the @azure/storage-blob client the
 * library uploads with (Put Blob, Put Block, Put Block List) and a plain GET for downloads. It
 * refuses what the service refuses: a request without the runner's token (401), a second entry of
 * the same key and version (409, with the service's message), a finalize of nothing uploaded or of a
 * size other than the upload's, an upload without a valid signature or to an entry already final,
 * a Put Blob without `x-ms-blob-type`. Keys match as the service documents: the primary key exactly,
 * then by prefix, then each restore key the same way, the newest entry first, always of the same
 * version (the hash of the paths, compression and OS the library computes).
 *
 * `fault` makes it fail the way a service can: `fail` answers every Twirp call with a 500, `hang`
 * never answers. `slow` delays the lookups of matching keys, keeping a request of the action's in
 * flight for as long as a test needs.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';
const BLOB_PATH = /^\/cacheaccount\/caches\/(\d+)$/;

export interface CacheEntryRecord {
  id: number;
  key: string;
  version: string;
  /** The archive, once finalized. */
  archive?: Buffer;
  createdAt: number;
}

export interface CacheRequestRecord {
  method: string;
  path: string;
  authorization?: string;
  /** The Twirp method, for calls of the service. */
  call?: string;
  /** The key a lookup or a reservation names. */
  key?: string;
  /** When it arrived and when it was answered (ms since the epoch). */
  at: number;
  answeredAt?: number;
}

export interface CacheServiceStandIn {
  /** ACTIONS_RESULTS_URL: the service's base URL. */
  url: string;
  /** The runner's variables for this service, as GitHub.com's runner sets them. */
  env: Record<string, string>;
  entries: CacheEntryRecord[];
  requests: CacheRequestRecord[];
  /** Requests it refused, with why. */
  refused: string[];
  fault?: 'fail' | 'hang';
  slow?: { keys: RegExp; ms: number };
  /** The signatures of the URLs it handed out, which the client asks the runner to mask. */
  signatures: string[];
  close(): Promise<void>;
}

export async function startCacheService(token: string): Promise<CacheServiceStandIn> {
  const secret = randomBytes(16);
  const signature = (id: number, access: 'w' | 'r') => createHmac('sha256', secret).update(`${id}:${access}`).digest('base64url');
  const entries: CacheEntryRecord[] = [];
  const uploads = new Map<number, { whole?: Buffer; blocks: Map<string, Buffer> }>();
  const sockets = new Set<Socket>();
  let nextId = 1;
  let base = '';

  const service: CacheServiceStandIn = { url: '', env: {}, entries, requests: [], refused: [], signatures: [], close: async () => undefined };

  const twirpError = (res: ServerResponse, status: number, code: string, msg: string) => {
    service.refused.push(`${status} ${code}: ${msg}`);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, msg }));
  };
  const json = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const blobUrl = (id: number, access: 'w' | 'r') => {
    service.signatures.push(signature(id, access));
    return `${base}/cacheaccount/caches/${id}?sv=2024-11-04&sp=${access}&sig=${signature(id, access)}`;
  };

  const calls: Record<string, (body: Record<string, unknown>, res: ServerResponse) => void> = {
    CreateCacheEntry: (body, res) => {
      const { key, version } = body;
      if (!validKey(key) || typeof version !== 'string' || !version) return twirpError(res, 400, 'invalid_argument', 'key and version are required');
      if (entries.some((e) => e.key === key && e.version === version)) {
        return twirpError(res, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const entry = { id: nextId++, key, version, createdAt: Date.now() };
      entries.push(entry);
      uploads.set(entry.id, { blocks: new Map() });
      json(res, { ok: true, signed_upload_url: blobUrl(entry.id, 'w') });
    },
    FinalizeCacheEntryUpload: (body, res) => {
      const entry = entries.find((e) => e.key === body.key && e.version === body.version && !e.archive);
      const upload = entry && uploads.get(entry.id);
      if (!entry || !upload?.whole) return twirpError(res, 404, 'not_found', 'no cache entry upload found for the key and version');
      if (String(upload.whole.length) !== String(body.size_bytes)) {
        return twirpError(res, 400, 'invalid_argument', `size_bytes ${String(body.size_bytes)} is not the uploaded size ${upload.whole.length}`);
      }
      entry.archive = upload.whole;
      uploads.delete(entry.id);
      json(res, { ok: true, entry_id: String(entry.id) });
    },
    GetCacheEntryDownloadURL: (body, res) => {
      const { key, version } = body;
      const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys : [];
      if (!validKey(key) || typeof version !== 'string' || !version) return twirpError(res, 400, 'invalid_argument', 'key and version are required');
      const usable = entries.filter((e) => e.archive && e.version === version).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
      for (const wanted of [key, ...restoreKeys]) {
        const found = usable.find((e) => e.key === wanted) ?? usable.find((e) => e.key.startsWith(String(wanted)));
        if (found) return json(res, { ok: true, signed_download_url: blobUrl(found.id, 'r'), matched_key: found.key });
      }
      json(res, { ok: false });
    },
  };

  const blob = (req: IncomingMessage, res: ServerResponse, url: URL, id: number, body: Buffer) => {
    const azureError = (status: number, code: string) => {
      service.refused.push(`${status} ${code}`);
      res.writeHead(status, { 'x-ms-error-code': code }).end();
    };
    const access = req.method === 'GET' || req.method === 'HEAD' ? 'r' : 'w';
    if (url.searchParams.get('sig') !== signature(id, access)) return azureError(403, 'AuthenticationFailed');
    const entry = entries.find((e) => e.id === id);
    if (access === 'r') {
      if (!entry?.archive) return azureError(404, 'BlobNotFound');
      res.writeHead(200, { 'content-length': entry.archive.length, 'content-type': 'application/octet-stream' });
      return res.end(req.method === 'HEAD' ? undefined : entry.archive);
    }
    const upload = uploads.get(id);
    if (!entry || !upload) return azureError(409, 'BlobImmutableDueToPolicy');
    const created = () => res.writeHead(201, { etag: `"0x${id.toString(16)}"`, 'last-modified': new Date().toUTCString(), 'x-ms-request-id': randomBytes(8).toString('hex') }).end();
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId) return azureError(400, 'InvalidQueryParameterValue');
      upload.blocks.set(blockId, body);
      return created();
    }
    if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]!);
      if (ids.some((b) => !upload.blocks.has(b))) return azureError(400, 'InvalidBlockList');
      upload.whole = Buffer.concat(ids.map((b) => upload.blocks.get(b)!));
      return created();
    }
    if (comp) return azureError(400, 'InvalidQueryParameterValue');
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return azureError(400, 'MissingRequiredHeader');
    upload.whole = body;
    created();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const call = url.pathname.startsWith(SERVICE) ? url.pathname.slice(SERVICE.length) : undefined;
      const body = Buffer.concat(chunks);
      const record: CacheRequestRecord = { method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization, call, key: keyOf(body), at: Date.now() };
      service.requests.push(record);
      res.on('finish', () => (record.answeredAt = Date.now()));
      const blobId = BLOB_PATH.exec(url.pathname)?.[1];
      if (blobId) return blob(req, res, url, Number(blobId), body);
      if (!call || req.method !== 'POST') return twirpError(res, 404, 'bad_route', `no handler for ${req.method} ${url.pathname}`);
      if (service.fault === 'hang') return;
      const { slow } = service;
      if (slow && call === 'GetCacheEntryDownloadURL' && slow.keys.test(record.key ?? '')) {
        return void setTimeout(() => answer(req, res, call, body), slow.ms);
      }
      answer(req, res, call, body);
    });
  });
  const answer = (req: IncomingMessage, res: ServerResponse, call: string, body: Buffer) => {
    if (service.fault === 'fail') return twirpError(res, 500, 'internal', 'the stand-in was told to fail');
    if (req.headers.authorization !== `Bearer ${token}`) return twirpError(res, 401, 'unauthenticated', 'the runtime token is missing or wrong');
    if (!String(req.headers['content-type']).startsWith('application/json')) return twirpError(res, 415, 'bad_route', 'only JSON is served here');
    const handler = calls[call];
    if (!handler) return twirpError(res, 404, 'bad_route', `no method ${call}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return twirpError(res, 400, 'malformed', 'the body is not JSON');
    }
    handler(parsed as Record<string, unknown>, res);
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.url = `${base}/`;
  // As GitHub.com's runner sets them: the v2 switch, the results service and the token; the old
  // service's URL is still there, and unused.
  service.env = {
    ACTIONS_CACHE_SERVICE_V2: 'True',
    ACTIONS_RESULTS_URL: service.url,
    ACTIONS_RUNTIME_TOKEN: token,
    ACTIONS_CACHE_URL: 'https://artifactcache.actions.githubusercontent.example/unused/',
  };
  service.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return service;
}

function keyOf(body: Buffer): string | undefined {
  try {
    const key = (JSON.parse(body.toString('utf8')) as { key?: unknown }).key;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** What the service takes as a key: at most 512 characters, no commas. */
function validKey(key: unknown): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= 512 && !key.includes(',');
}
