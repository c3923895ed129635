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
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import YAML from 'yaml';
import { REPO, runnerEnv } from '../scripts/runner.mjs';
import { ensureToolchain, toolchainEnv } from '../scripts/toolchain.mjs';

const SECTIONS = ['overhead', 'deps', 'startup', 'report', 'memory'];
const { values: args } = parseArgs({
  options: {
    section: { type: 'string', default: SECTIONS.join(',') },
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '10,100,500' },
    action: { type: 'string', multiple: true, default: [path.join(REPO, 'dist', 'index.js')] },
    keep: { type: 'boolean', default: false },
    configs: { type: 'string', default: 'none,plain,secret' },
    commands: { type: 'string', default: 'preview,up' },
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
  const { readProjectFile } = await import(pathToFileURL(path.join(lib, 'inputs.js')).href);

  // uv from PyPI into a scratch venv; only the uv binary goes on PATH, so python3 is the same for both.
  const uvVenv = path.join(root, 'uv-venv');
  execFileSync('python3', ['-m', 'venv', uvVenv]);
  execFileSync(path.join(uvVenv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'uv'], { stdio: 'inherit' });
  const uvBin = path.join(root, 'uv-bin');
  fs.mkdirSync(uvBin);
  fs.symlinkSync(path.join(uvVenv, 'bin', 'uv'), path.join(uvBin, 'uv'));
  const uvVersion = execFileSync(path.join(uvBin, 'uv'), ['--version'], { encoding: 'utf8' }).trim();

  /** One cold install in a fresh copy of the example, with empty caches: a new runner. */
  const install = async (tool, i) => {
    const ws = makeWorkspace(`deps-${tool}-${i}`);
    // The toolchain named in Pulumi.yaml, so that a uv elsewhere on PATH cannot turn pip into uv.
    const projectFile = path.join(ws.workDir, 'Pulumi.yaml');
    const project = yaml.load(fs.readFileSync(projectFile, 'utf8'));
    project.runtime.options = { ...project.runtime.options, toolchain: tool };
    fs.writeFileSync(projectFile, yaml.dump(project));
    const env = { ...process.env, PATH: tool === 'uv' ? `${uvBin}${path.delimiter}${process.env.PATH}` : process.env.PATH };
    const plan = planDependencies(ws.workDir, readProjectFile(ws.workDir), env);
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
    const plan = planDependencies(last.ws.workDir, readProjectFile(last.ws.workDir), last.env);
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
  line('warm reuse (unchanged requirements)', spread(sw, (v) => `${v.toFixed(1)} ms`), '< 0.5 s', sw.median < 500);
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
    const files = fs.readdirSync(dist, { recursive: true }).map((f) => path.join(dist, String(f))).filter((f) => fs.statSync(f).isFile());
    const total = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    line(`${action.label}: bundle, its folder`, `${mb(total)} in ${files.length} files`);
    for (const f of files.filter((f) => /\.[cm]?js$/.test(f) && path.dirname(f) === dist)) line(`${action.label}: bundle, ${path.basename(f)}`, mb(fs.statSync(f).size));
  }
}

async function report() {
  console.log('\n▶ report: rendering the PR comment from a generated engine event stream');
  const lib = compiledSources();
  const { renderComment, COMMENT_MAX_LENGTH } = await import(pathToFileURL(path.join(lib, 'report', 'comment.js')).href);
  const { changeSummaryFromEvents, resultOf } = await import(pathToFileURL(path.join(lib, 'report', 'model.js')).href);
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
    line(`${count.toLocaleString('en')} resources: render`, spread(s, (v) => `${v.toFixed(1)} ms`), big ? '< 200 ms' : undefined, s.median < 200);
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
        line(`${action.label}: ${command} ${size} resources`, spread(s, (v) => `${v.toFixed(0)} MB`), '< 150 MB', s.max < 150);
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

// ── main ─────────────────────────────────────────────────────────────────────────────────────

const pulumiVersion = execFileSync(realPulumi, ['version'], { encoding: 'utf8', env: baseEnv }).trim();
console.log(`pulumi-stack-action benchmark: ${new Date().toISOString()}`);
console.log(`  node ${process.version}, pulumi ${pulumiVersion}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
for (const action of ACTIONS) console.log(`  ${action.label}: ${action.file}`);
console.log(`  scratch: ${root}`);
try {
  for (const section of SECTIONS.filter((s) => sections.includes(s))) {
    await { overhead, deps, startup, report, memory }[section]();
  }
  if (disturbedSamples > 0) console.log(`\n⚠ ${disturbedSamples} timed sample(s) kept though other processes used the machine meanwhile.`);
} finally {
  if (!args.keep) fs.rmSync(root, { recursive: true, force: true });
}
