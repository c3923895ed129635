#!/usr/bin/env node
// Records the engine event streams in __tests__/fixtures/events from real runs of the Pulumi CLI:
// the program in scripts/record-events/ on a file:// backend in a temporary folder, one stack taken
// through the scenarios below, each run with `--event-log` (the flags the action passes). What
// differs from run to run is then normalised, so recording twice writes the same bytes and a CLI
// upgrade shows up as a diff (the e2e test __tests__/e2e/recorded-events.test.ts compares).
//
//   node scripts/record-events.mjs [OUT_DIR]     (default: __tests__/fixtures/events)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedPolicyPack } from './policy-pack.mjs';
import { ensureToolchain, toolchainEnv } from './toolchain.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROGRAM = path.join(REPO, 'scripts', 'record-events');
const POLICY_PACK = path.join(PROGRAM, 'policy');
export const FIXTURES = path.join(REPO, '__tests__', 'fixtures', 'events');

/** The engine's marker for a value not known until the update; every other UUID is random. */
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** The dynamic provider's own code, serialized into every resource's inputs: 2 KB of noise each. */
const SERIALIZED_PROVIDER = '<serialized dynamic provider>';

const TOKEN = 'first-token-value';
const ROTATED_TOKEN = 'rotated-token-value';

// In the order the program declares them, each depending on the one before: the logs come first,
// so deleting them has to wait for the replaced site, and the deletions always come in one order.
const files = {
  logs: { folder: 'out', name: 'logs.txt', content: 'log line' },
  site: { folder: 'out/site', name: 'site.json', data: { title: 'Hello', tags: { env: 'dev', team: 'web' } } },
  notes: { folder: 'out', name: 'notes.txt', content: 'first draft', encoding: 'utf8', sizeOf: 'site' },
  vault: { folder: 'out', name: 'vault.txt', content: 'keep me', protect: true },
  token: { folder: 'out', name: 'token.txt', secretContent: true },
};

/**
 * The same files after a change a pull request could make: the site's folder moves (a replacement,
 * caused by `folder`) and a tag changes and one is added; the notes change text, gain a property and
 * lose one (and take the new site's size, unknown until it exists); the vault gets a comment, which
 * changes nothing; the logs go; the secret is rotated.
 */
const changed = {
  site: { ...files.site, folder: 'out/www', data: { title: 'Hello', tags: { env: 'dev', team: 'platform', owner: 'ops' } } },
  notes: { folder: 'out', name: 'notes.txt', content: 'second draft, longer than the first', mode: '0644', sizeOf: 'site' },
  vault: { ...files.vault, comment: 'a note the provider ignores' },
  token: files.token,
};

/** Without the protected vault, which the engine must then refuse to delete. */
const unprotected = Object.fromEntries(Object.entries(changed).filter(([name]) => name !== 'vault'));

const PREVIEW = ['preview'];
const UP = ['up', '--yes', '--skip-preview'];

/**
 * One stack through its life. `resources` (when given) is what the program declares from then on;
 * `fails` says the run must fail, so a scenario that stopped doing what it is named for is an error.
 */
const SCENARIOS = [
  { fixture: 'preview-creates', resources: files, command: PREVIEW },
  { fixture: 'up-creates', command: UP },
  { fixture: 'preview-no-changes', command: PREVIEW },
  { fixture: 'preview-update-replace-delete', resources: changed, token: ROTATED_TOKEN, command: PREVIEW },
  { fixture: 'up-update-replace-delete', command: UP },
  // Someone edits a file by hand; a refresh preview (the action's `drift`) finds it.
  { fixture: 'refresh-drift', edit: { file: 'out/notes.txt', content: 'edited by hand' }, command: ['refresh', '--preview-only'] },
  { fixture: 'preview-protected-delete', resources: unprotected, command: PREVIEW, fails: true },
  // A world-writable file (mandatory: the preview fails), files without a mode and too many files (advisory).
  {
    fixture: 'preview-policy-violations',
    resources: {
      ...changed,
      shared: { folder: 'out', name: 'shared.txt', content: 'anyone may edit this', mode: '0666' },
      readme: { folder: 'out', name: 'README', content: 'read me' },
    },
    command: PREVIEW,
    policyPack: true,
    fails: true,
  },
  {
    fixture: 'up-failed',
    resources: { ...changed, broken: { folder: 'out', name: 'broken.txt', content: 'x', failWith: 'disk quota exceeded writing broken.txt' } },
    command: UP,
    fails: true,
  },
];

function run(cli, args, { cwd, env, input }) {
  const result = spawnSync(cli, args, { cwd, env, input, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function mustRun(cli, args, options) {
  const result = run(cli, args, options);
  if (result.code !== 0) throw new Error(`pulumi ${args.join(' ')} failed (exit ${result.code}):\n${result.output}`);
}

/** Applies `edit` to every string (and key) of a JSON value. */
function replaceInStrings(value, edit) {
  if (typeof value === 'string') return edit(value);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, edit));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [edit(key), replaceInStrings(item, edit)]));
  }
  return value;
}

/** Drops `__provider` values (the provider's code) wherever a resource's inputs or outputs hold one. */
function withoutProviderCode(value) {
  if (Array.isArray(value)) return value.map(withoutProviderCode);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === '__provider' && typeof item === 'string' ? SERIALIZED_PROVIDER : withoutProviderCode(item)]));
}

/**
 * What varies between two recordings, made fixed: timestamps, the run's duration, random UUIDs
 * (provider ids; numbered by first appearance), the machine's folders. Debug diagnostics are left
 * out: they describe the recording machine (its paths, its TypeScript), not the deployment.
 * Sequence numbers are renumbered after that.
 */
function normalise(events, { paths }) {
  const ids = new Map();
  const fixPaths = (text) =>
    paths
      .reduce((t, [from, to]) => t.split(from).join(to), text)
      .replace(UUID, (uuid) => {
        if (uuid === UNKNOWN) return uuid;
        if (!ids.has(uuid)) ids.set(uuid, `00000000-0000-4000-8000-${String(ids.size + 1).padStart(12, '0')}`);
        return ids.get(uuid);
      });
  return events
    .filter((event) => event.diagnosticEvent?.severity !== 'debug')
    .map((event, index) => {
      const fixed = replaceInStrings(withoutProviderCode(event), fixPaths);
      fixed.sequence = index;
      fixed.timestamp = 0;
      if (fixed.summaryEvent) fixed.summaryEvent.durationSeconds = 1;
      return fixed;
    });
}

function readEventLog(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Runs every scenario and writes one `<fixture>.json` per scenario into `outDir`. */
export async function recordEvents(outDir, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const bin = await ensureToolchain({ log });
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'record-events-')));
  const program = path.join(root, 'program');
  try {
    fs.cpSync(PROGRAM, program, { recursive: true, filter: (src) => src !== POLICY_PACK });
    // The program takes @pulumi/pulumi (and the dynamic provider launcher its cmd/) from ours.
    const modules = fs.realpathSync(path.join(REPO, 'node_modules'));
    fs.symlinkSync(modules, path.join(program, 'node_modules'));
    const env = {
      ...toolchainEnv(bin),
      PULUMI_BACKEND_URL: `file://${path.join(root, 'state')}`,
      PULUMI_CONFIG_PASSPHRASE: 'record-events',
      PULUMI_HOME: path.join(root, 'home'),
      // --event-log is one of the CLI's hidden debug flags.
      PULUMI_DEBUG_COMMANDS: 'true',
      NO_COLOR: 'true',
    };
    fs.mkdirSync(path.join(root, 'state'));
    const options = { cwd: program, env };
    mustRun('pulumi', ['stack', 'init', 'dev', '--non-interactive'], options);
    const setToken = (value) => mustRun('pulumi', ['config', 'set', '--secret', 'token', '--non-interactive'], { ...options, input: value });
    setToken(TOKEN);
    const policyPack = installedPolicyPack(POLICY_PACK, { env, log });
    const paths = [
      [policyPack, '/tmp/record-events-policy'],
      [program, '/tmp/record-events'],
      [modules, '/tmp/record-events/node_modules'],
      [REPO, '/repo'],
    ];
    fs.mkdirSync(outDir, { recursive: true });
    for (const scenario of SCENARIOS) {
      if (scenario.resources) fs.writeFileSync(path.join(program, 'resources.json'), `${JSON.stringify(scenario.resources, null, 2)}\n`);
      if (scenario.token) setToken(scenario.token);
      let restore;
      if (scenario.edit) {
        const file = path.join(program, scenario.edit.file);
        const before = fs.readFileSync(file);
        fs.writeFileSync(file, scenario.edit.content);
        restore = () => fs.writeFileSync(file, before);
      }
      const eventLog = path.join(root, `${scenario.fixture}.jsonl`);
      const args = [
        ...scenario.command,
        ...(scenario.policyPack ? ['--policy-pack', policyPack] : []),
        '--stack',
        'dev',
        '--non-interactive',
        '--color',
        'never',
        '--parallel',
        '1',
        '--exec-kind',
        'auto.local',
        '--event-log',
        eventLog,
      ];
      const result = run('pulumi', args, options);
      restore?.();
      if ((result.code !== 0) !== Boolean(scenario.fails)) {
        throw new Error(`${scenario.fixture}: pulumi ${scenario.command.join(' ')} ${scenario.fails ? 'should have failed' : `failed (exit ${result.code})`}:\n${result.output}`);
      }
      const events = normalise(readEventLog(eventLog), { paths });
      fs.writeFileSync(path.join(outDir, `${scenario.fixture}.json`), `${JSON.stringify(events, null, 1)}\n`);
      log(`recorded ${scenario.fixture}.json (${events.length} events)`);
    }
    return SCENARIOS.map((scenario) => `${scenario.fixture}.json`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  recordEvents(path.resolve(process.argv[2] ?? FIXTURES)).catch((err) => {
    console.error(`record-events: ${err.message}`);
    process.exit(1);
  });
}
