// The PostgreSQL server that scripts/test.mjs starts for the postgres:// backend tests (see
// scripts/postgres.mjs): its URL, a database per test file, and the rows of Pulumi's state table.
// Queries go through `psql` from the same PostgreSQL install, with argument arrays only.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The server's URL from PULUMI_TEST_POSTGRES_URL. Missing, it throws: a test that needs PostgreSQL
 * fails rather than skips, and says why (scripts/test.mjs leaves the reason it could not start one).
 */
export function postgresUrl(): string {
  const url = process.env.PULUMI_TEST_POSTGRES_URL;
  if (url) return url;
  const reason = process.env.PULUMI_TEST_POSTGRES_ERROR;
  throw new Error(
    'PULUMI_TEST_POSTGRES_URL is not set: run the tests with `npm test` (scripts/test.mjs starts PostgreSQL), ' +
      'or start a server with `node scripts/postgres.mjs` and export the URL it prints' +
      (reason ? `. scripts/test.mjs could not start PostgreSQL: ${reason}` : '.'),
  );
}

function psqlBinary(): string {
  const bin = process.env.PULUMI_TEST_POSTGRES_BIN;
  return bin ? path.join(bin, 'psql') : 'psql';
}

/** Runs one SQL statement; returns psql's unaligned, tuples-only output (fields split by tabs). */
export function psql(url: string, sql: string): string {
  return execFileSync(psqlBinary(), ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
}

/** The URL with another database name (query string kept). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a fresh database on the shared server, so test files never see each other's stacks. */
export function createDatabase(prefix: string): string {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unusable database name ${name}`);
  psql(postgresUrl(), `CREATE DATABASE "${name}"`);
  return withDatabase(postgresUrl(), name);
}

export function dropDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`refusing to drop database ${name}`);
  psql(postgresUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/**
 * Every row of the DIY backend's `pulumi_state` table: key -> hash of the data and its update time,
 * to prove a failed step changed nothing. Empty before the backend's first use (no table yet).
 */
export function stateRows(url: string): Map<string, string> {
  const exists = psql(url, "SELECT to_regclass('public.pulumi_state') IS NOT NULL").trim() === 't';
  if (!exists) return new Map();
  const out = psql(url, 'SELECT key, md5(data::text), updated_at FROM pulumi_state ORDER BY key');
  return new Map(
    out
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [key = '', ...rest] = line.split('\t');
        return [key, rest.join('\t')] as const;
      }),
  );
}
