#!/usr/bin/env node
// `npm run bench`: measures the bundled action on the Python example (a file:// backend, no cloud)
// and prints each figure beside its target. Every timing is taken several times; the median is the
// figure and min–max its spread. Timed samples wait for an idle machine and are retaken when other
// processes ran meanwhile (see `sample`). All of it takes about 20 minutes on 2 cores.
//
//   npm run bench                                   # every section
//   npm run bench -- --section overhead,startup     # some: overhead, deps, startup, report, memory
//   npm run bench -- --runs 3 --sizes 10,100        # fewer runs, fewer stack sizes
//   npm run bench -- --action /elsewhere/dist/index.js   # another build of the action
//   npm run bench -- --action dist/index.js --action /old/dist/index.js   # builds side by side
//   npm run bench -- --keep                         # keep the scratch folder it prints
//   npm run bench -- --configs plain,secret         # the overhead section's config cases only
//   npm run bench -- --commands preview             # previews only (overhead and memory)
//
// Sections:
//   overhead  the action against the bare `pulumi preview` / `pulumi up` on the same stack, each
//             action run beside a bare CLI run (A B, then B A, …), the pair's difference its
//             overhead; ups change nothing, so both do the same work
//   deps      preparing the virtual environment: cold with pip, cold with uv, warm reuse
//   startup   process start to the first CLI process the action starts; the bundle's size
//
// Each action run is timed twice over: as a later run on the machine (the CLI's version remembered
// from the run before) and as a first run (nothing remembered: one `pulumi version` more). And each
// in three cases of the `config` input (--configs): none (the stack's config already in its
// Pulumi.<stack>.yaml), plain (the README's usage: the values in the input, the stack file as a
// fresh checkout has it, without them) and secret (the same, plus one secret value).
//   report    rendering the PR comment for 10, 1,000 and 10,000 resources
//   memory    peak resident memory of the action's own node process (not its children)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import YAML from 'yaml';
import { REPO, runnerEnv } from '../scripts/runner.mjs';
import { ensureToolchain, toolchainEnv } from '../scripts/toolchain.mjs';

const SECTIONS = ['overhead', 'deps', 'startup', 'report', 'memory', 'fresh'];
const { values: args } = parseArgs({
  options: {
    section: { type: 'string', default: SECTIONS.join(',') },
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10,100,500' },
    action: { type: 'string', multiple: true, default: [path.join(REPO, 'dist', 'index.js')] },
    keep: { type: 'boolean', default: false },
    configs: { type: 'string', default: 'none,plain,secret' },
    commands: { type: 'string', default: 'preview,up' },
    'pulumi-actions': { type: 'string' },
    examples: { type: 'string', default: 'pip,uv,poetry,npm' },
  },
});
const CONFIG_CASES = args.configs.split(',').map((c) => c.trim());
const COMMANDS = args.commands.split(',').map((c) => c.trim());
for (const c of COMMANDS) if (!['preview', 'up'].includes(c)) throw new Error(`unknown command '${c}': preview or up`);
for (const c of CONFIG_CASES) if (!['none', 'plain', 'secret'].includes(c)) throw new Error(`unknown config case '${c}': none, plain or secret`);
const sections = args.section.split(',').map((s) => s.trim());
for (const s of sections) if (!SECTIONS.includes(s)) throw new Error(`unknown section '${s}': one of ${SECTIONS.join(', ')}`);
const RUNS = Number(args.runs);
const SIZES = args.sizes.split(',').map(Number);
/** The builds under test, by label: `action`, or `action 1`, `action 2`, … when comparing builds. */
const ACTIONS = args.action.map((file, i) => ({
  file: path.resolve(file),
  label: args.action.length === 1 ? 'action' : `action ${i + 1}`,
}));
const NODE = path.join(REPO, 'node_modules', '.bin', 'node');
const EXAMPLE = path.join(REPO, 'examples', 'python');
const STACK_PREFIX = 'bench-';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-stack-action-bench-'));
const toolchain = await ensureToolchain();
const realPulumi = path.join(toolchain, 'pulumi');
const baseEnv = {
  ...toolchainEnv(toolchain),
  PULUMI_BACKEND_URL: `file://${path.join(root, 'state')}`,
  PULUMI_CONFIG_PASSPHRASE: 'bench',
  // Where the action remembers the CLI's version; `firstRun` gives a run an empty one.
  XDG_CACHE_HOME: path.join(root, 'cache'),
};
fs.mkdirSync(path.join(root, 'state'));

// ── measuring ────────────────────────────────────────────────────────────────────────────────

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1) };
}

const ms = (v) => `${Math.round(v)} ms`;
const spread = (s, unit = ms) => `${unit(s.median)} (${unit(s.min)}–${unit(s.max)})`;
const verdict = (ok) => (ok ? '✓' : '✗');

function line(label, figure, target, ok) {
  console.log(`  ${label.padEnd(44)} ${figure.padEnd(30)} ${target ? `${verdict(ok)} target ${target}` : ''}`);
}

// On a shared machine, other processes' bursts skew a sample more than anything measured here.
// So each timed sample starts when the rest of the machine is idle, and is taken again (twice at
// most) when other processes used more than a tenth of a core while it ran (the CPU time of the
// whole machine, from /proc/stat, less that of the sample's own process tree, from /usr/bin/time).
const CHECKS_MACHINE = fs.existsSync('/proc/stat') && fs.existsSync('/usr/bin/time');
let disturbedSamples = 0;

/** Runs `take` (which returns a `timed` result) until it ran undisturbed, three times at most. */
async function sample(take) {
  for (let attempt = 1; ; attempt++) {
    await whenIdle();
    const before = machineCpuMs();
    const result = await take();
    const others = machineCpuMs() - before - result.cpuMs;
    // /proc/stat counts in 10 ms ticks, and this process reads the sample's output meanwhile.
    if (!CHECKS_MACHINE || others <= 0.1 * result.ms + 50) return result;
    if (attempt === 3) {
      disturbedSamples++;
      return result;
    }
  }
}

/** Waits (a minute at most) until the machine's processes use under a quarter of a core. */
async function whenIdle() {
  if (!CHECKS_MACHINE) return;
  const giveUpAt = Date.now() + 60_000;
  while (Date.now() < giveUpAt) {
    const before = machineCpuMs();
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (machineCpuMs() - before < 0.25 * 300) return;
  }
}

/** CPU time all cores have spent busy since boot, in ms (USER_HZ ticks of 10 ms). */
function machineCpuMs() {
  if (!CHECKS_MACHINE) return 0;
  const [user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** Epoch milliseconds with sub-millisecond precision, comparable with `date +%s%N`. */
const now = () => performance.timeOrigin + performance.now();

/**
 * Runs a process to its end; resolves with its wall time, its tree's CPU time (unless `onSpawn`
 * wants the process itself, not /usr/bin/time around it), exit code and output.
 */
function timed(command, argv, { cwd, env, onSpawn }) {
  const cpuFile = path.join(root, 'cpu.txt');
  const withCpu = CHECKS_MACHINE && !onSpawn;
  const [file, fileArgs] = withCpu ? ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, command, ...argv]] : [command, argv];
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(file, fileArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = now() - started;
      // The last line holds user and system seconds (a failed command adds a line before it).
      const [user, system] = withCpu ? fs.readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number) : [0, 0];
      resolve({ ms, started, code, stdout, stderr, cpuMs: (user + system) * 1000 });
    });
  });
}

function mustSucceed(run, what) {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${(run.stdout + run.stderr).slice(-3000)}`);
  return run;
}

// ── the example and the action ───────────────────────────────────────────────────────────────

/** A workspace holding a copy of the example, without anything a run leaves behind. */
function makeWorkspace(name) {
  const workspace = path.join(root, name);
  const workDir = path.join(workspace, 'infra');
  fs.cpSync(EXAMPLE, workDir, {
    recursive: true,
    filter: (src) => !['venv', 'out', '__pycache__'].includes(path.basename(src)) && !/^Pulumi\..+\.yaml$/.test(path.basename(src)),
  });
  return { workspace, workDir };
}

let runCounter = 0;

/** Starts the action as the runner would, each run with runner files and a RUNNER_TEMP of its own. */
function runAction(ws, inputs, { action = ACTIONS[0], env = {}, onSpawn } = {}) {
  const dir = path.join(root, 'runner', String(++runCounter));
  const ownCpuFile = path.join(dir, 'own-cpu.txt');
  const step = runnerEnv({
    dir,
    workspace: ws.workspace,
    inputs: { 'work-dir': 'infra', 'comment-on-pr': 'false', ...inputs },
    base: { ...baseEnv, NODE_OPTIONS: `--require ${OWN_CPU_PRELOAD}`, BENCH_OWN_CPU_FILE: ownCpuFile, ...env },
  });
  // The action's own CPU: its Node process alone, without the engine and the program under it.
  return timed(NODE, [action.file], { cwd: ws.workspace, env: step.env, onSpawn }).then((run) => ({
    ...run,
    ...(fs.existsSync(ownCpuFile) ? probed(JSON.parse(fs.readFileSync(ownCpuFile, 'utf8')), run.ms) : {}),
  }));
}

/** The action's own CPU, and its own time on the path: its wall time less its operation's CLI process. */
function probed({ cpuMs, operationMs }, wallMs) {
  return { ownCpuMs: cpuMs, ownPathMs: operationMs > 0 ? wallMs - operationMs : undefined };
}

const OWN_CPU_PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'own-cpu.cjs');

/** The environment of a run on a machine where the action has not run before: nothing remembered. */
function firstRun() {
  return { XDG_CACHE_HOME: fs.mkdtempSync(path.join(root, 'first-run-cache-')) };
}

function runCli(ws, argv, env = {}) {
  return timed(realPulumi, [...argv, '--non-interactive'], { cwd: ws.workDir, env: { ...baseEnv, ...env } });
}

const shared = makeWorkspace('shared');
const deployed = new Set();

/** The stack's plain config, as the README's usage passes it in `config`; `secret` adds a secret value. */
function configInput(size, withSecret) {
  const plain = { fileCount: size, message: 'bench', outDir: path.join(root, 'out', String(size)) };
  return JSON.stringify(withSecret ? { ...plain, token: { value: 'bench-secret-value', secret: true } } : plain);
}

/** Deploys `fileCount` files once: the stack, its config in Pulumi.<stack>.yaml and (first time) the venv. */
async function deployedStack(size) {
  const stack = `${STACK_PREFIX}${size}`;
  if (!deployed.has(stack)) {
    mustSucceed(await runAction(shared, { command: 'up', stack, config: configInput(size, true) }), `deploying ${size} resources`);
    deployed.add(stack);
  }
  return stack;
}

/**
 * The stack's settings file as a fresh checkout has it: the secrets provider's salt as committed,
 * and none of the values the workflow passes in its `config` input. For the plain case that leaves
 * the committed secret; for the secret case the salt alone, so the action encrypts the secret anew
 * each run. Written back before each run of a config case, so every such run writes its values as
 * on a new runner. The stack's values stay the same throughout, so the ups still change nothing.
 */
function checkedOutStackFile(stack, withSecret) {
  const file = path.join(shared.workDir, `Pulumi.${stack}.yaml`);
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  const config = doc.get('config');
  for (const pair of [...config.items]) if (withSecret || !YAML.isMap(pair.value)) config.delete(pair.key);
  const text = doc.toString();
  return () => fs.writeFileSync(file, text);
}

// ── sections ─────────────────────────────────────────────────────────────────────────────────

async function overhead() {
  console.log(`\n▶ overhead: the action against the bare CLI on the same stack (${RUNS} runs each, each beside a bare CLI run; ups change nothing)`);
  for (const size of SIZES) {
    const stack = await deployedStack(size);
    for (const command of COMMANDS) {
      const cli = command === 'up' ? ['up', '--yes', '--skip-preview'] : ['preview'];
      const checkouts = { plain: checkedOutStackFile(stack, false), secret: checkedOutStackFile(stack, true) };
      const cases = CONFIG_CASES.map((c) => ({
        suffix: c === 'none' ? '' : c === 'plain' ? ', config plain' : ', config plain + secret',
        inputs: c === 'none' ? { command, stack } : { command, stack, config: configInput(size, c === 'secret') },
        before: checkouts[c] ?? (() => undefined),
      }));
      const contenders = [
        { label: 'bare pulumi', run: () => runCli(shared, [...cli, '--stack', stack]) },
        ...ACTIONS.flatMap((action) =>
          cases.flatMap(({ suffix, inputs, before }) => [
            { label: `${action.label}${suffix}`, run: () => (before(), runAction(shared, inputs, { action })) },
            { label: `${action.label}${suffix}, first run`, run: () => (before(), runAction(shared, inputs, { action, env: firstRun() })) },
          ]),
        ),
      ];
      for (const c of contenders) mustSucceed(await c.run(), `warm-up: ${c.label} ${command}`);
      const [bare, ...actions] = contenders;
      const times = new Map(contenders.map((c) => [c, []]));
      /** Each action run with the bare CLI run paired with it: `[action, bare]` in ms. */
      const pairs = new Map(actions.map((c) => [c, []]));
      const ownCpu = new Map(contenders.map((c) => [c, []]));
      const ownPath = new Map(contenders.map((c) => [c, []]));
      const take = async (c) => {
        const run = mustSucceed(await sample(c.run), `${c.label} ${command} of ${size} resources`);
        times.get(c).push(run.ms);
        if (run.ownCpuMs !== undefined) ownCpu.get(c).push(run.ownCpuMs);
        if (run.ownPathMs !== undefined) ownPath.get(c).push(run.ownPathMs);
        return run.ms;
      };
      for (let i = 0; i < RUNS; i++) {
        // Each action run is paired with a bare CLI run right beside it, before it or after it in
        // turn, and the pair's difference is the overhead: the machine's speed drifts over the
        // minutes a round takes, far more than it does between two neighbouring runs. Rotating the
        // order spreads that drift evenly over the contenders.
        for (const [k, c] of actions.map((_, k) => [k, actions[(i + k) % actions.length]])) {
          const [first, second] = (i + k) % 2 ? [bare, c] : [c, bare];
          const a = await take(first);
          const b = await take(second);
          pairs.get(c).push(first === c ? [a, b] : [b, a]);
        }
      }
      const sb = stats(times.get(bare));
      console.log(`  ${command} ${size} resources`);
      line('    bare pulumi', spread(sb));
      for (const c of actions) {
        const sa = stats(times.get(c));
        const ratio = stats(pairs.get(c).map(([a, b]) => a / b)).median;
        const extra = stats(pairs.get(c).map(([a, b]) => a - b));
        line(`    ${c.label}`, spread(sa));
        line(`    ${c.label} ÷ CLI (median of pairs)`, ratio.toFixed(2), command === 'preview' && size === 100 ? '≤ 1.15' : undefined, ratio <= 1.15);
        line(`    ${c.label}: fixed overhead (median of pairs' A−B)`, spread(extra), '≤ 250 ms', extra.median <= 250);
        if (ownCpu.get(c).length > 0) line(`    ${c.label}: its own CPU (the action's Node process)`, spread(stats(ownCpu.get(c))));
        if (ownPath.get(c).length > 0) line(`    ${c.label}: its own time on the path (wall − the ${command}'s CLI process)`, spread(stats(ownPath.get(c))));
      }
    }
  }
}

async function deps() {
  const cold = Math.max(1, Math.min(RUNS, 3));
  console.log(`\n▶ dependencies: the virtual environment of the example (${cold} cold runs each, empty package caches)`);
  const lib = compiledSources();
  const { planDependencies, installDependencies, isUpToDate } = await import(pathToFileURL(path.join(lib, 'workspace', 'dependencies.js')).href);
  const { readProjectFile } = await import(pathToFileURL(path.join(lib, 'model', 'pulumi-formats.js')).href);

  const { bin: uvBin, version: uvVersion } = installUv();

  /** One cold install in a fresh copy of the example, with empty caches: a new runner. */
  const install = async (tool, i) => {
    const ws = makeWorkspace(`deps-${tool}-${i}`);
    // The toolchain named in Pulumi.yaml, so that a uv elsewhere on PATH cannot turn pip into uv.
    const projectFile = path.join(ws.workDir, 'Pulumi.yaml');
    const project = yaml.load(fs.readFileSync(projectFile, 'utf8'));
    project.runtime.options = { ...project.runtime.options, toolchain: tool };
    fs.writeFileSync(projectFile, yaml.dump(project));
    const env = { ...process.env, PATH: tool === 'uv' ? `${uvBin}${path.delimiter}${process.env.PATH}` : process.env.PATH };
    const plan = await planDependencies(ws.workDir, readProjectFile(ws.workDir), env);
    if (!plan.description.includes(`(${tool})`)) throw new Error(`expected a ${tool} plan, got ${plan.description}`);
    const caches = path.join(root, `cache-${tool}-${i}`);
    const saved = { ...process.env };
    // installDependencies runs its tools with this process's environment.
    Object.assign(process.env, { PATH: env.PATH, PIP_CACHE_DIR: path.join(caches, 'pip'), UV_CACHE_DIR: path.join(caches, 'uv') });
    const started = now();
    try {
      await installDependencies(plan, ws.workDir, () => undefined);
    } finally {
      for (const key of ['PATH', 'PIP_CACHE_DIR', 'UV_CACHE_DIR']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    return { ms: now() - started, ws, env };
  };

  const pip = [];
  const uv = [];
  let last;
  for (let i = 0; i < cold; i++) {
    pip.push((last = await install('pip', i)).ms);
    uv.push((await install('uv', i)).ms);
  }
  const warm = [];
  for (let i = 0; i < 20; i++) {
    const started = now();
    const plan = await planDependencies(last.ws.workDir, readProjectFile(last.ws.workDir), last.env);
    if (!isUpToDate(plan, plan.location)) throw new Error('the environment just built is not up to date');
    warm.push(now() - started);
  }
  const sp = stats(pip);
  const su = stats(uv);
  const sw = stats(warm);
  const s = (v) => `${(v / 1000).toFixed(1)} s`;
  line('cold, pip', spread(sp, s));
  line(`cold, ${uvVersion}`, spread(su, s));
  line('uv speed-up over pip', `${(sp.median / su.median).toFixed(1)}×`, '≥ 3×', sp.median / su.median >= 3);
  line(
    'warm reuse (unchanged requirements)',
    spread(sw, (v) => `${v.toFixed(1)} ms`),
    '< 0.5 s',
    sw.median < 500,
  );
}

/** uv from PyPI into a scratch venv, once; only the uv binary goes on PATH, so python3 stays the machine's. */
function installUv() {
  const uvBin = path.join(root, 'uv-bin');
  if (!fs.existsSync(uvBin)) {
    const uvVenv = path.join(root, 'uv-venv');
    execFileSync('python3', ['-m', 'venv', uvVenv]);
    execFileSync(path.join(uvVenv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'uv'], { stdio: 'inherit' });
    fs.mkdirSync(uvBin);
    fs.symlinkSync(path.join(uvVenv, 'bin', 'uv'), path.join(uvBin, 'uv'));
  }
  return { bin: uvBin, version: execFileSync(path.join(uvBin, 'uv'), ['--version'], { encoding: 'utf8' }).trim() };
}

async function startup() {
  const runs = Math.max(RUNS, 5);
  console.log(`\n▶ start-up: process start to the first CLI process the action starts (${runs} runs each)`);
  const stack = await deployedStack(SIZES[0]);
  // A `pulumi` first on PATH that notes when it was started, then becomes the real one.
  const wrapDir = path.join(root, 'wrap');
  const log = path.join(root, 'cli-starts.log');
  fs.mkdirSync(wrapDir, { recursive: true });
  fs.writeFileSync(path.join(wrapDir, 'pulumi'), `#!/bin/sh\necho "$(date +%s%N) $1" >> "${log}"\nexec "${realPulumi}" "$@"\n`, { mode: 0o755 });
  const env = { PATH: `${wrapDir}${path.delimiter}${baseEnv.PATH}` };

  // A first run checks the CLI's version first; later runs remember it and start the preview.
  const firstCli = async (action, first) => {
    const take = () => {
      fs.rmSync(log, { force: true });
      return runAction(shared, { command: 'preview', stack }, { action, env: { ...env, ...(first ? firstRun() : {}) } });
    };
    const run = mustSucceed(await sample(take), 'preview');
    const [start, command] = fs.readFileSync(log, 'utf8').split('\n')[0].split(' ');
    return { ms: Number(start) / 1e6 - run.started, command };
  };
  for (const action of ACTIONS) {
    for (const first of [true, false]) {
      // The wrapper is a new binary: one run to remember its version before the later runs are timed.
      if (!first) await firstCli(action, false);
      const starts = [];
      for (let i = 0; i < runs; i++) starts.push(await firstCli(action, first));
      const s = stats(starts.map((x) => x.ms));
      const commands = [...new Set(starts.map((x) => `pulumi ${x.command}`))].join(', ');
      line(`${action.label}${first ? ', first run' : ''}: first CLI process (${commands})`, spread(s), '< 150 ms', s.median < 150);
    }
  }
  const bare = [];
  for (let i = 0; i < runs; i++) bare.push((await sample(() => timed(NODE, ['-e', '0'], {}))).ms);
  line('for scale: `node -e 0` start and exit', spread(stats(bare)));

  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  for (const action of ACTIONS) {
    const dist = path.dirname(action.file);
    const files = fs
      .readdirSync(dist, { recursive: true })
      .map((f) => path.join(dist, String(f)))
      .filter((f) => fs.statSync(f).isFile());
    const total = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    line(`${action.label}: bundle, its folder`, `${mb(total)} in ${files.length} files`);
    for (const f of files.filter((f) => /\.[cm]?js$/.test(f) && path.dirname(f) === dist)) line(`${action.label}: bundle, ${path.basename(f)}`, mb(fs.statSync(f).size));
  }
}

async function report() {
  console.log('\n▶ report: rendering the PR comment from a generated engine event stream');
  const lib = compiledSources();
  const { renderComment, COMMENT_MAX_LENGTH } = await import(pathToFileURL(path.join(lib, 'report', 'comment.js')).href);
  const { changeSummaryFromEvents, resultOf } = await import(pathToFileURL(path.join(lib, 'model', 'changes.js')).href);
  for (const count of [10, 1_000, 10_000]) {
    const built = now();
    const changes = changeSummaryFromEvents(eventStream(count));
    const modelMs = now() - built;
    const report = {
      command: 'preview',
      project: 'big',
      stack: 'dev',
      stackRef: 'acme/big/dev',
      result: resultOf(changes, false),
      changes,
      outputs: { url: { value: 'https://example.com', secret: false }, token: { value: 's3cr3t', secret: true } },
      runUrl: 'https://github.com/octo-org/infra/actions/runs/4242',
    };
    renderComment(report); // warm-up: the JIT compiles on the first call
    const times = [];
    let body = '';
    for (let i = 0; i < Math.max(RUNS, 10); i++) {
      const started = now();
      body = renderComment(report, { secrets: ['s3cr3t'] });
      times.push(now() - started);
    }
    const s = stats(times);
    const fits = body.length <= COMMENT_MAX_LENGTH;
    const big = count === 10_000;
    line(
      `${count.toLocaleString('en')} resources: render`,
      spread(s, (v) => `${v.toFixed(1)} ms`),
      big ? '< 200 ms' : undefined,
      s.median < 200,
    );
    line(`${count.toLocaleString('en')} resources: length`, `${body.length.toLocaleString('en')} chars`, big ? '≤ 65,536' : undefined, fits);
    line(`${count.toLocaleString('en')} resources: model from events (once)`, `${modelMs.toFixed(1)} ms`);
  }
}

async function memory() {
  const runs = Math.max(1, Math.min(RUNS, 3));
  console.log(`\n▶ memory: peak RSS (VmHWM) of the action's node process, read from /proc every 5 ms (${runs} runs each)`);
  for (const size of SIZES) {
    const stack = await deployedStack(size);
    for (const command of COMMANDS) {
      const peaks = new Map(ACTIONS.map((action) => [action, []]));
      for (let i = 0; i < runs; i++) {
        for (const action of ACTIONS) peaks.get(action).push(await peakRss(action, { command, stack }));
      }
      for (const action of ACTIONS) {
        const s = stats(peaks.get(action));
        line(
          `${action.label}: ${command} ${size} resources`,
          spread(s, (v) => `${v.toFixed(0)} MB`),
          '< 150 MB',
          s.max < 150,
        );
      }
    }
  }
}

/** Runs the action and returns its own peak RSS in MB: VmHWM only grows, so the last read is the peak. */
async function peakRss(action, inputs) {
  let peak = 0;
  let timer;
  const onSpawn = (child) => {
    const status = `/proc/${child.pid}/status`;
    timer = setInterval(() => {
      try {
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(status, 'utf8'))?.[1] ?? 0));
      } catch {
        // it exited between two reads
      }
    }, 5);
  };
  const run = await runAction(shared, inputs, { action, onSpawn });
  clearInterval(timer);
  mustSucceed(run, `${action.label} ${inputs.command}`);
  return peak / 1024;
}

// ── helpers for the in-process sections ──────────────────────────────────────────────────────

let compiled;

/** src/ compiled by tsc as the bundle compiles it, for the sections that call the action's code directly. */
function compiledSources() {
  if (compiled) return compiled;
  compiled = path.join(root, 'lib');
  execFileSync(NODE, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', compiled], {
    cwd: REPO,
    stdio: 'inherit',
  });
  // Bare imports (js-yaml, semver, …) resolve from the repository's node_modules.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  fs.writeFileSync(path.join(compiled, 'package.json'), '{"type":"module"}');
  return compiled;
}

/**
 * An engine event stream shaped like a real one: the stack and its provider unchanged, then per
 * resource a pre event and an outputs event for each step (three for a replacement), then the summary.
 * The mix: 40 % create, 20 % update (two changed properties), 10 % delete, 10 % replace, 20 % same.
 */
function eventStream(count) {
  const OPS = ['create', 'create', 'create', 'create', 'update', 'update', 'delete', 'replace', 'same', 'same'];
  const provider = 'urn:pulumi:dev::big::pulumi:providers:random::default_4_16_0';
  const events = [];
  const push = (event) => events.push({ sequence: events.length, timestamp: 1_718_000_000 + events.length, ...event });
  const step = (op, urn, type, diffs = []) => {
    const metadata = { op, urn, type, provider: `${provider}::9f2c63f0`, diffs };
    push({ resourcePreEvent: { metadata } });
    push({ resOutputsEvent: { metadata } });
  };
  push({ preludeEvent: { config: {} } });
  step('same', 'urn:pulumi:dev::big::pulumi:pulumi:Stack::big-dev', 'pulumi:pulumi:Stack');
  step('same', provider, 'pulumi:providers:random');
  const counts = { same: 2 };
  for (let i = 0; i < count; i++) {
    const op = OPS[i % OPS.length];
    const type = 'random:index/randomPet:RandomPet';
    const urn = `urn:pulumi:dev::big::${type}::pet-${i}`;
    const diffs = op === 'update' ? ['length', 'prefix'] : [];
    for (const s of op === 'replace' ? ['create-replacement', 'replace', 'delete-replaced'] : [op]) step(s, urn, type, diffs);
    counts[op] = (counts[op] ?? 0) + 1;
  }
  push({ summaryEvent: { maybeCorrupt: false, durationSeconds: 12, resourceChanges: counts, policyPacks: {} } });
  return events;
}

// ── fresh runner ─────────────────────────────────────────────────────────────────────────────

/**
 * Every job on a hosted runner starts on a new machine: the same paths (home, workspace, tool
 * cache), nothing in them. Each example is a program with its dependencies and a real provider
 * plugin (scripts/mirror-plugin.mjs, from a local mirror), timed from the start of what a workflow
 * runs to the first engine command: for the action, its process start to the moment it creates
 * the engine's event log folder (in TMPDIR, watched); for pulumi/actions, the steps users put before
 * it for the caches its documentation recommends, then its own start to its engine command (noted by
 * a `pulumi` first on PATH, which runs `pulumi version` for it as the real one would: its Automation
 * API hears the engine's events over gRPC, with no folder to watch). The cache service is a local stand-in of
 * GitHub.com's (__tests__/support/cache-service.ts): no network between them, so a restore here is
 * faster than on GitHub by the transfer time, which this machine cannot measure.
 */
async function fresh() {
  const runs = Math.max(1, Math.min(RUNS, 3));
  const examples = args.examples.split(',').map((e) => e.trim());
  for (const e of examples) if (!['pip', 'uv', 'poetry', 'npm'].includes(e)) throw new Error(`unknown example '${e}': pip, uv, poetry or npm`);
  const pulumiActions = args['pulumi-actions'] ? path.resolve(args['pulumi-actions']) : undefined;
  console.log(`\n▶ fresh runner: start to the first engine command on a new machine, the cache empty or restored (${runs} runs each)`);
  const { startCacheService } = await import(pathToFileURL(path.join(REPO, '__tests__', 'support', 'cache-service.ts')).href);
  const { startPluginMirror } = await import(pathToFileURL(path.join(REPO, '__tests__', 'support', 'plugin-mirror.ts')).href);
  const { ensurePoetry } = await import(pathToFileURL(path.join(REPO, 'scripts', 'poetry.mjs')).href);
  const service = await startCacheService('bench-runtime-token');
  const mirror = await startPluginMirror();
  try {
    const tools = { uv: installUv().bin, poetry: ensurePoetry() };
    for (const id of examples) {
      const example = freshExample(id, tools, mirror, service);
      const times = { none: [], cache: [], others: [] };
      const restores = new Map();
      await example.run('cache');
      if (pulumiActions) await example.othersWay(pulumiActions, { save: true });
      for (let i = 0; i < runs; i++) {
        times.none.push(await example.run('none'));
        const cached = await example.run('cache', true);
        times.cache.push(cached.ms);
        // What the action reports of each restore: the time from its request to the install in place.
        for (const [, what, secs] of cached.stdout.matchAll(/Actions cache: restored (.+?) \((\d+\.\d) s; key/g)) restores.set(what, [...(restores.get(what) ?? []), Number(secs) * 1000]);
        if (pulumiActions) times.others.push(await example.othersWay(pulumiActions, { save: false }));
      }
      const s = (v) => `${(v / 1000).toFixed(2)} s`;
      const none = stats(times.none);
      const cached = stats(times.cache);
      console.log(`  ${example.name}`);
      line('  the action, no cache', spread(none, s));
      line('  the action, cache restored', spread(cached, s), '≤ 2 s', cached.median <= 2_000);
      line('  cache restored ÷ no cache', (cached.median / none.median).toFixed(2), '≤ 0.20', cached.median <= none.median / 5);
      for (const [what, values] of restores) line(`    of which restoring ${what.replace(/ in \/.*/, '')}`, spread(stats(values), s));
      if (pulumiActions) line('  pulumi/actions after its recommended caches', spread(stats(times.others), s));
      else line('  pulumi/actions after its recommended caches', 'not run: give --pulumi-actions (see BENCHMARKS.md)');
    }
  } finally {
    await Promise.all([service.close(), mirror.close()]);
  }
}

/** Resolves with the time the action's engine log folder appears in `dir`; `stop()` ends the watch. */
function engineStart(dir) {
  let watcher;
  const at = new Promise((resolve) => {
    watcher = fs.watch(dir, (_, name) => {
      if (name?.startsWith('pulumi-events-')) resolve(now());
    });
  });
  return { at, stop: () => watcher.close() };
}

/** A `pulumi` first on PATH that notes (in BENCH_ENGINE_LOG) when a `preview` starts, then becomes the real one. */
function previewNotingPulumi() {
  const dir = path.join(root, 'fresh-wrap');
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'pulumi'), `#!/bin/sh\n[ "$1" = preview ] && date +%s%N >> "$BENCH_ENGINE_LOG"\nexec "${realPulumi}" "$@"\n`, { mode: 0o755 });
  }
  return dir;
}

function freshExample(id, tools, mirror, service) {
  const typescript = id === 'npm';
  const name = { pip: 'examples/python, pip', uv: 'examples/python, uv', poetry: 'examples/python, poetry', npm: 'examples/typescript, npm' }[id];
  const workspace = path.join(root, `fresh-${id}`);
  const workDir = path.join(workspace, 'infra');
  fs.cpSync(path.join(REPO, 'examples', typescript ? 'typescript' : 'python'), workDir, {
    recursive: true,
    filter: (src) => !['venv', '.venv', 'node_modules', 'out', '__pycache__'].includes(path.basename(src)) && !/^Pulumi\..+\.yaml$/.test(path.basename(src)),
  });
  const projectFile = path.join(workDir, 'Pulumi.yaml');
  if (id === 'poetry') {
    fs.rmSync(path.join(workDir, 'requirements.txt'));
    const fixture = path.join(REPO, '__tests__', 'fixtures', 'python-poetry');
    for (const file of fs.readdirSync(fixture)) fs.copyFileSync(path.join(fixture, file), path.join(workDir, file));
  } else if (id === 'pip') {
    // Named, so that a uv on PATH cannot make it uv's; uv is taken from PATH, as the action takes it
    // (Pulumi's own `toolchain: uv` is for uv projects, with a pyproject.toml).
    const project = yaml.load(fs.readFileSync(projectFile, 'utf8'));
    project.runtime.options = { ...project.runtime.options, toolchain: 'pip' };
    fs.writeFileSync(projectFile, yaml.dump(project));
  }
  // A resource of the mirror's plugin, which the engine then needs.
  const { name: plugin, version } = mirror.plugin;
  fs.appendFileSync(
    path.join(workDir, typescript ? 'index.ts' : '__main__.py'),
    typescript
      ? `\nclass Thing extends pulumi.CustomResource {\n  constructor(name: string) {\n    super("${plugin}:index:Thing", name, { label: "bench" }, { version: "${version}" });\n  }\n}\nnew Thing("thing");\n`
      : `\npulumi.CustomResource("${plugin}:index:Thing", "thing", {"label": "bench"}, opts=pulumi.ResourceOptions(version="${version}"))\n`,
  );
  const backendUrl = `file://${path.join(root, `fresh-state-${id}`)}`;
  fs.mkdirSync(new URL(backendUrl).pathname);
  const ws = { workspace, workDir };
  const PATH = [id === 'uv' ? tools.uv : undefined, id === 'poetry' ? tools.poetry : undefined, baseEnv.PATH].filter(Boolean).join(path.delimiter);
  execFileSync(realPulumi, ['stack', 'init', 'dev', '--non-interactive'], { cwd: workDir, env: { ...baseEnv, PULUMI_BACKEND_URL: backendUrl }, stdio: 'ignore' });
  const home = path.join(root, `fresh-home-${id}`);

  /** A new machine at the same paths: an empty home (caches, plugins), no install in the checkout, a new TMPDIR. */
  const machine = () => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.mkdirSync(home);
    for (const dir of ['venv', '.venv', 'node_modules']) fs.rmSync(path.join(workDir, dir), { recursive: true, force: true });
    const tmp = fs.mkdtempSync(path.join(root, 'tmp-'));
    return {
      tmp,
      env: {
        PATH,
        HOME: home,
        PULUMI_HOME: path.join(home, '.pulumi'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        npm_config_cache: path.join(home, '.npm'),
        TMPDIR: tmp,
        PULUMI_BACKEND_URL: backendUrl,
        PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: mirror.overrides,
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'false',
      },
    };
  };

  /** The action's preview: `none` with `cache: false`, `cache` with the stand-in. Resolves with the time to its first engine command (and the run, with `whole`). */
  const run = (variant, whole = false) =>
    sample(async () => {
      const { tmp, env } = machine();
      const watch = engineStart(tmp);
      const result = await runAction(ws, { command: 'preview', stack: 'dev', cache: variant === 'cache' ? 'true' : 'false' }, { env: { ...env, ...service.env } });
      watch.stop();
      mustSucceed(result, `the action's preview of ${name} (${variant})`);
      const engineAt = await Promise.race([watch.at, Promise.resolve(undefined)]);
      if (engineAt === undefined) throw new Error(`no engine command seen for ${name} (${variant})`);
      return { ...result, ms: engineAt - result.started };
    }).then((r) => (whole ? r : r.ms));

  /**
   * What users run with pulumi/actions instead, as its documentation and the setup actions'
   * recommend: the package manager's cache restored (setup-python's `cache: pip` or `poetry`,
   * setup-uv's `enable-cache`, setup-node's `cache: npm`), the install step, actions/cache of
   * ~/.pulumi/plugins, then pulumi/actions itself. Each step a process of its own, as the runner runs
   * them; `save` plays the post steps that fill the cache once.
   */
  const othersWay = async (pulumiActions, { save }) => {
    await whenIdle();
    const { tmp, env } = machine();
    const stepEnv = { ...baseEnv, ...env, ...service.env, RUNNER_TEMP: tmp, GITHUB_WORKSPACE: workspace, GITHUB_SERVER_URL: 'https://github.com' };
    const hash = (file) =>
      createHash('sha256')
        .update(fs.readFileSync(path.join(workDir, file)))
        .digest('hex');
    const managerCache = {
      pip: () => ({ key: `setup-python-pip-${hash('requirements.txt')}`, paths: [path.join(home, '.cache', 'pip')] }),
      uv: () => ({ key: `setup-uv-${hash('requirements.txt')}`, paths: [path.join(home, '.cache', 'uv')] }),
      poetry: () => ({ key: `setup-python-poetry-${hash('poetry.lock')}`, paths: [path.join(home, '.cache', 'pypoetry')] }),
      npm: () => ({ key: `setup-node-npm-${hash('package-lock.json')}`, paths: [path.join(home, '.npm')] }),
    }[id]();
    const plugins = { key: `pulumi-plugins-${hash(typescript ? 'package-lock.json' : id === 'poetry' ? 'poetry.lock' : 'requirements.txt')}`, paths: [path.join(home, '.pulumi', 'plugins')] };
    const venvPython = path.join(workDir, 'venv', 'bin', 'python');
    const install = {
      pip: [
        ['python3', ['-m', 'venv', 'venv']],
        [venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', 'requirements.txt']],
      ],
      uv: [
        [path.join(tools.uv, 'uv'), ['venv', '--seed', 'venv']],
        [path.join(tools.uv, 'uv'), ['pip', 'install', '--python', venvPython, '-r', 'requirements.txt']],
      ],
      poetry: [[path.join(tools.poetry, 'poetry'), ['install', '--no-interaction', '--no-ansi']]],
      npm: [['npm', ['ci', '--no-audit', '--no-fund']]],
    }[id];
    const cacheStep = (op, { key, paths }) => timed(NODE, [path.join(REPO, 'bench', 'cache-step.mjs'), op, key, ...paths], { cwd: workspace, env: stepEnv });
    let ms = 0;
    const step = async (run, what, ok = [0]) => {
      const result = await run;
      if (!ok.includes(result.code)) mustSucceed(result, what);
      ms += result.ms;
    };
    await step(cacheStep('restore', managerCache), 'restoring the package manager cache', [0, 2]);
    for (const [command, argv] of install) await step(timed(command, argv, { cwd: workDir, env: stepEnv }), `${command} ${argv.join(' ')}`);
    await step(cacheStep('restore', plugins), 'restoring the plugins', [0, 2]);
    const dir = path.join(root, 'runner', String(++runCounter));
    const action = runnerEnv({
      dir,
      workspace,
      inputs: { command: 'preview', 'stack-name': 'dev', 'work-dir': 'infra', 'cloud-url': backendUrl },
      actionFile: path.join(pulumiActions, 'action.yml'),
      base: { ...stepEnv, RUNNER_TEMP: tmp },
    });
    const engineLog = path.join(tmp, 'engine-started');
    const result = await timed(NODE, [path.join(pulumiActions, 'dist', 'index.js')], {
      cwd: workspace,
      env: { ...action.env, PATH: `${previewNotingPulumi()}${path.delimiter}${action.env.PATH}`, BENCH_ENGINE_LOG: engineLog },
    });
    mustSucceed(result, `pulumi/actions on ${name}`);
    if (!fs.existsSync(engineLog)) throw new Error(`no engine command seen for pulumi/actions on ${name}`);
    ms += Number(fs.readFileSync(engineLog, 'utf8').trim().split('\n')[0]) / 1e6 - result.started;
    for (const entry of save ? [managerCache, plugins] : []) {
      // A package manager that cached nothing leaves nothing to save (pip's HTTP cache on a machine whose index sends no cache headers).
      if (entry.paths.some((p) => fs.existsSync(p))) mustSucceed(await cacheStep('save', entry), `saving ${entry.key}`);
      else console.log(`    (nothing to save under ${entry.key}: ${entry.paths.join(', ')} stayed empty)`);
    }
    return ms;
  };
  return { name, run, othersWay };
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

const pulumiVersion = execFileSync(realPulumi, ['version'], { encoding: 'utf8', env: baseEnv }).trim();
console.log(`pulumi-stack-action benchmark: ${new Date().toISOString()}`);
console.log(`  node ${process.version}, pulumi ${pulumiVersion}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
for (const action of ACTIONS) console.log(`  ${action.label}: ${action.file}`);
console.log(`  scratch: ${root}`);
try {
  for (const section of SECTIONS.filter((s) => sections.includes(s))) {
    await { overhead, deps, startup, report, memory, fresh }[section]();
  }
  if (disturbedSamples > 0) console.log(`\n⚠ ${disturbedSamples} timed sample(s) kept though other processes used the machine meanwhile.`);
} finally {
  if (!args.keep) fs.rmSync(root, { recursive: true, force: true });
}
