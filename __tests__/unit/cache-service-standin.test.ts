// The stand-in of GitHub.com's cache service (__tests__/support/cache-service.ts), driven by the
// clients that talk to the real one: @actions/cache itself (Twirp calls, the upload through the
// Azure Storage SDK, the download), and the Azure SDK's block upload, which the library uses for
// archives over 128 MiB. What the library accepts from it, and what it refuses as the service does.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as cache from '@actions/cache';
import { BlockBlobClient } from '@azure/storage-blob';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCacheService, type CacheServiceStandIn } from '../support/cache-service.js';

const TOKEN = 'standin-runtime-token';
let service: CacheServiceStandIn;
let dir: string;
const saved = { ...process.env };
const printed: string[] = [];
const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
  printed.push(String(chunk));
  return true;
});

beforeAll(async () => {
  service = await startCacheService(TOKEN);
});

afterAll(async () => {
  stdout.mockRestore();
  await service.close();
});

beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'standin-')));
  fs.mkdirSync(path.join(dir, 'temp'));
  // As the runner gives them to a step, and as @actions/cache reads them on each call.
  Object.assign(process.env, service.env, { RUNNER_TEMP: path.join(dir, 'temp'), GITHUB_WORKSPACE: dir, GITHUB_SERVER_URL: 'https://github.com', ACTIONS_RUNTIME_TOKEN: TOKEN });
  printed.length = 0;
  service.refused.length = 0;
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  fs.rmSync(dir, { recursive: true, force: true });
});

function files(name: string, text: string): string {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'a.txt'), text);
  return folder;
}

const warnings = () => printed.filter((line) => /^::(warning|error)::/.test(line));

describe('the stand-in of the cache service, to @actions/cache', () => {
  it('takes a save and gives it back by its key, then by a prefix, the newest first; of the same paths only', async () => {
    const folder = files('deps', 'one');
    expect(cache.isFeatureAvailable()).toBe(true);
    expect(await cache.saveCache([folder], 'deps-linux-1')).toBeGreaterThan(0);
    fs.writeFileSync(path.join(folder, 'a.txt'), 'two');
    expect(await cache.saveCache([folder], 'deps-linux-2')).toBeGreaterThan(0);
    fs.rmSync(folder, { recursive: true });
    expect(await cache.restoreCache([folder], 'deps-linux-1')).toBe('deps-linux-1');
    expect(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe('one');
    expect(await cache.restoreCache([folder], 'deps-linux-9', ['deps-linux-'])).toBe('deps-linux-2');
    expect(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8')).toBe('two');
    // Another list of paths is another version: no match.
    expect(await cache.restoreCache([folder, path.join(dir, 'other')], 'deps-linux-1')).toBeUndefined();
    expect(warnings()).toEqual([]);
    expect(service.refused).toEqual([]);
    expect(service.requests.filter((r) => r.call).every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('refuses a second entry of the same key and version, which the library reports as another job saving it', async () => {
    const folder = files('twice', 'x');
    expect(await cache.saveCache([folder], 'twice')).toBeGreaterThan(0);
    expect(await cache.saveCache([folder], 'twice')).toBe(-1);
    expect(service.refused).toEqual(['409 already_exists: cache entry with the same key, version, and scope already exists']);
    expect(printed.join('')).toContain('Failed to save: Unable to reserve cache with key twice, another job may be creating this cache.');
    expect(warnings()).toEqual([]);
  });

  it("refuses a request without the runner's token, which the library warns about and gets nothing from", async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = 'not-the-token';
    expect(await cache.restoreCache([path.join(dir, 'x')], 'any')).toBeUndefined();
    expect(service.refused).toEqual(['401 unauthenticated: the runtime token is missing or wrong']);
    expect(warnings()).toEqual([expect.stringContaining('Failed to restore: Failed to GetCacheEntryDownloadURL: Received non-retryable error: Failed request: (401)')]);
  });
});

describe('the stand-in of the blob storage, to the Azure SDK', () => {
  it('assembles a block upload as Azure does, and refuses a write without the signature', async () => {
    const reserve = await fetch(new URL('/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry', service.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'blocks', version: 'v1' }),
    });
    const { signed_upload_url: url } = (await reserve.json()) as { signed_upload_url: string };
    const data = Buffer.from('0123456789'.repeat(1000));
    // Blocks of 1 KiB, as the library's uploads over 128 MiB are made of 64 MiB ones.
    await new BlockBlobClient(url).uploadData(data, { blockSize: 1024, maxSingleShotSize: 1024, concurrency: 2 });
    const finalize = await fetch(new URL('/twirp/github.actions.results.api.v1.CacheService/FinalizeCacheEntryUpload', service.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'blocks', version: 'v1', size_bytes: String(data.length) }),
    });
    expect(await finalize.json()).toMatchObject({ ok: true });
    expect(service.entries.find((e) => e.key === 'blocks')?.archive?.equals(data)).toBe(true);
    // The same URL without its signature, and an upload to an entry already final.
    await expect(new BlockBlobClient(url.replace(/sig=[^&]+/, 'sig=forged')).upload('x', 1)).rejects.toThrow();
    await expect(new BlockBlobClient(url).upload('x', 1)).rejects.toThrow();
    expect(service.refused.slice(-2)).toEqual(['403 AuthenticationFailed', '409 BlobImmutableDueToPolicy']);
  });
});
