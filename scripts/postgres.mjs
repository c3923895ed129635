#!/usr/bin/env node
// A throwaway PostgreSQL server for the tests of the postgres:// backend: `initdb` into a fresh
// temporary folder, trust authentication, listening only on 127.0.0.1 on a free port, one database.
// `startPostgres()` returns its URL and a `stop()` that stops the server and removes the folder.
// Run directly (`node scripts/postgres.mjs`) it prints the URL and stops on Ctrl-C.
//
// initdb refuses to run as root: as root the server's programs run as the `postgres` user (created
// by Debian's package; `nobody` otherwise) through `runuser`, with argument arrays only. Not as root
// (a GitHub-hosted runner, a developer's machine) they run as the current user.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUPERUSER = 'postgres';
export const DATABASE = 'pulumi';

/**
 * The folder holding initdb, pg_ctl, createdb and psql: `PULUMI_TEST_POSTGRES_BIN`, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian, Ubuntu), else the folder of an `initdb` on PATH.
 */
export function findPostgresBin(env = process.env) {
  const has = (dir) => ['initdb', 'pg_ctl', 'psql'].every((b) => fs.existsSync(path.join(dir, b)));
  if (env.PULUMI_TEST_POSTGRES_BIN) {
    if (has(env.PULUMI_TEST_POSTGRES_BIN)) return env.PULUMI_TEST_POSTGRES_BIN;
    throw new Error(`PULUMI_TEST_POSTGRES_BIN=${env.PULUMI_TEST_POSTGRES_BIN} holds no initdb, pg_ctl and psql`);
  }
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && has(path.join(debian, v, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return path.join(debian, versions[0], 'bin');
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && has(dir)) return dir;
  }
  throw new Error(
    'PostgreSQL is not installed (no initdb, pg_ctl and psql in /usr/lib/postgresql/*/bin or on PATH): ' +
      'install it (apt-get install -y postgresql) or set PULUMI_TEST_POSTGRES_BIN to its bin folder',
  );
}

/** The user the server runs as when we are root: initdb and postgres refuse to run as root. */
function serverUser() {
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      return { name, uid, gid };
    } catch {
      // not on this machine; try the next one
    }
  }
  throw new Error("running as root, but neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a PostgreSQL server in a new temporary folder and creates the database `pulumi`.
 * Resolves with `url` (postgres://postgres@127.0.0.1:PORT/pulumi?sslmode=disable), `port`, `bin`
 * (the folder of psql & co) and `stop()`: synchronous and idempotent; it also runs when this process
 * exits (not when it is killed with SIGKILL, or dies of a signal it does not handle).
 */
export async function startPostgres({ bin = findPostgresBin(), database = DATABASE, log = () => {} } = {}) {
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? serverUser() : undefined;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-test-pg-'));
  const dataDir = path.join(base, 'data');
  const logFile = path.join(base, 'server.log');
  // The server's unix socket lives here too, not in /var/run/postgresql (absent, or root's).
  if (user) fs.chownSync(base, user.uid, user.gid);

  // Runs one PostgreSQL program, as the server's user when we are root; throws with its output.
  const run = (program, args, { check = true } = {}) => {
    const file = path.join(bin, program);
    const [cmd, argv] = user ? ['runuser', ['-u', user.name, '--', file, ...args]] : [file, args];
    // cwd: a folder the server's user may enter (it cannot enter root's working directory).
    const result = spawnSync(cmd, argv, { cwd: base, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    if (check && result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() || result.error?.message || `signal ${result.signal}`;
      throw new Error(`${program} ${args.join(' ')} failed (exit ${result.status}): ${output}`);
    }
    return result;
  };

  let started = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    if (started) run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], { check: false });
    fs.rmSync(base, { recursive: true, force: true });
  };

  // However this process ends (process.exit() in a signal handler included), the server goes too.
  process.on('exit', stop);
  try {
    const t0 = Date.now();
    // --no-sync: nothing here has to survive a crash of the machine.
    run('initdb', ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    log(`initdb: ${Date.now() - t0} ms`);
    let port;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      // Later lines of postgresql.conf win; no `pg_ctl -o` (a string pg_ctl hands to a shell).
      fs.appendFileSync(
        path.join(dataDir, 'postgresql.conf'),
        [
          '',
          '# throwaway test server (scripts/postgres.mjs)',
          "listen_addresses = '127.0.0.1'",
          `port = ${port}`,
          `unix_socket_directories = '${base}'`,
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'ssl = off',
          '',
        ].join('\n'),
      );
      const t1 = Date.now();
      const result = run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30'], { check: false });
      if (result.status === 0) {
        started = true;
        log(`pg_ctl start: ${Date.now() - t1} ms`);
        break;
      }
      // Another process may have taken the port between freePort() and the server's bind.
      const serverLog = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      if (attempt >= 3 || !/Address already in use|could not create any TCP\/IP sockets/i.test(serverLog)) {
        throw new Error(`pg_ctl start failed (exit ${result.status}): ${`${result.stdout}${result.stderr}`.trim()}\n${serverLog.trim()}`);
      }
    }
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, database]);
    return {
      url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}?sslmode=disable`,
      port,
      bin,
      dir: base,
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const t0 = Date.now();
  startPostgres()
    .then((pg) => {
      const bye = () => {
        pg.stop();
        process.exit(0);
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, bye);
      console.log(pg.url);
      console.error(
        `PostgreSQL ready in ${Date.now() - t0} ms (data in ${pg.dir}); Ctrl-C stops it and removes the data.\n` +
          `  export PULUMI_TEST_POSTGRES_URL='${pg.url}'   # npm test then uses this server\n` +
          `  ${path.join(pg.bin, 'psql')} '${pg.url}'`,
      );
      setInterval(() => {}, 1 << 30);
    })
    .catch((err) => {
      console.error(`postgres: ${err.message}`);
      process.exit(1);
    });
}
