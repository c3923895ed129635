// Prepares the program's dependencies: a Python virtual environment or a Node.js install, reused
// when nothing it was built from has changed (a fingerprint stored beside it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { virtualEnvFolder } from './project-paths.js';
import type { ProjectFile } from '../model/settings.js';
import { findOnPath, writeAtomically } from './version-check.js';
import { runProcess } from './process.js';
import { DependencyError, fingerprint, readIfExists, STATE_FILE, virtualEnvEnv, type AskedLocation, type DependencyPlan, type Env, type KnownLocation, type Step } from './dependency-plan.js';
import { planPoetry } from './poetry.js';
import { pythonToolchain } from './python-toolchain.js';
import { nodeIdentity, pythonIdentity } from './runtime-identity.js';

/**
 * Throws a DependencyError for a toolchain Pulumi refuses or a tool that is missing. Asks the
 * interpreter what it is (runtime-identity.ts); everything else is read from files.
 */
export async function planDependencies(workDir: string, project: ProjectFile, env: Env, signal?: AbortSignal): Promise<DependencyPlan | undefined> {
  if (project.runtime === 'python') return planPython(workDir, project, env, signal);
  if (project.runtime === 'nodejs') return planNode(workDir, env, signal);
  return undefined;
}

/**
 * What the program needs to find dependencies the action did not install (`install-dependencies:
 * false`, or a command that starts no program): nothing it must judge, so nothing it refuses. Pulumi
 * asks poetry for poetry's environment itself.
 */
export function installedEnv(workDir: string, project: ProjectFile, env: Env): Record<string, string> {
  if (project.runtime !== 'python') return {};
  const choice = pythonToolchain(workDir, project.runtimeOptions);
  return 'toolchain' in choice && choice.toolchain !== 'poetry' ? virtualEnvEnv(virtualEnvFolder(workDir, project), env.PATH ?? '') : {};
}

async function planPython(workDir: string, project: ProjectFile, env: Env, signal?: AbortSignal): Promise<DependencyPlan> {
  const choice = pythonToolchain(workDir, project.runtimeOptions);
  if ('refused' in choice) throw new DependencyError(choice.refused);
  if (choice.toolchain === 'poetry') return planPoetry(workDir, env, signal);
  const venv = virtualEnvFolder(workDir, project);
  const venvPython = path.join(venv, 'bin', 'python');
  const python = env.PULUMI_PYTHON_CMD || findOnPath('python3', env.PATH ?? '') || 'python3';
  const interpreter = await pythonIdentity(python, workDir, signal);
  const requirements = path.join(workDir, 'requirements.txt');
  const hasRequirements = fs.existsSync(requirements);
  const uv = choice.toolchain === 'uv' || (choice.toolchain === 'auto' && findOnPath('uv', env.PATH ?? '')) ? (findOnPath('uv', env.PATH ?? '') ?? 'uv') : undefined;
  // Where Pulumi's language host treats the environment as pip's (no `toolchain: uv`), it lists the
  // program's packages with `python -m pip list`: a uv environment needs pip in it.
  const seedPip = uv !== undefined && choice.toolchain === 'auto';

  const steps: Step[] = uv
    ? [
        { command: uv, args: ['venv', '--allow-existing', ...(seedPip ? ['--seed'] : []), '--python', python, venv] },
        ...(hasRequirements ? [{ command: uv, args: ['pip', 'install', '--python', venvPython, '-r', requirements] }] : []),
      ]
    : [
        { command: python, args: ['-m', 'venv', venv] },
        { command: venvPython, args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade', 'pip'] },
        ...(hasRequirements ? [{ command: venvPython, args: ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirements] }] : []),
      ];
  return {
    description: `Python virtual environment ${path.relative(workDir, venv) || venv} (${uv ? 'uv' : 'pip'})`,
    fingerprint: fingerprint([uv ? (seedPip ? 'uv with pip' : 'uv') : 'pip', interpreter, hasRequirements ? fs.readFileSync(requirements, 'utf8') : '']),
    steps,
    // The language host uses `virtualenv` from Pulumi.yaml when set; this covers projects that leave it out.
    location: { kind: 'known', stateFile: path.join(venv, STATE_FILE), env: virtualEnvEnv(venv, env.PATH ?? '') },
  };
}

/** A lockfile names the package manager; without one, npm install. */
const NODE_INSTALLERS: { lockfile: string; command: string; args: string[] }[] = [
  { lockfile: 'package-lock.json', command: 'npm', args: ['ci', '--no-audit', '--no-fund'] },
  { lockfile: 'pnpm-lock.yaml', command: 'pnpm', args: ['install', '--frozen-lockfile'] },
  { lockfile: 'yarn.lock', command: 'yarn', args: ['install', '--frozen-lockfile'] },
  { lockfile: 'bun.lock', command: 'bun', args: ['install', '--frozen-lockfile'] },
];

async function planNode(workDir: string, env: Env, signal?: AbortSignal): Promise<DependencyPlan> {
  const installer = NODE_INSTALLERS.find((i) => fs.existsSync(path.join(workDir, i.lockfile)));
  const inputs = installer ? installer.lockfile : 'package.json';
  const runtime = await nodeIdentity(findOnPath('node', env.PATH ?? '') ?? 'node', workDir, signal);
  return {
    description: `Node.js packages (${installer ? `${installer.command} ${installer.args[0]}` : 'npm install'})`,
    fingerprint: fingerprint([runtime, readIfExists(path.join(workDir, inputs))]),
    steps: [installer ?? { command: 'npm', args: ['install', '--no-audit', '--no-fund'] }],
    location: { kind: 'known', stateFile: path.join(workDir, 'node_modules', STATE_FILE), env: {} },
  };
}

/**
 * Where the plan's install is, once there is one: for a tool that decides it, its last answer or,
 * unless `ask` is false, a new one.
 */
export async function locateInstall(plan: DependencyPlan, workDir: string, signal?: AbortSignal, ask = true): Promise<KnownLocation | undefined> {
  if (plan.location.kind === 'known') return plan.location;
  const remembered = readIfExists(plan.location.memoFile);
  return (remembered && virtualEnvAt(plan.location, remembered)) || (ask ? askLocation(plan.location, workDir, signal) : undefined);
}

/** The tool's own answer, remembered for the next run; none while it has made no environment. */
async function askLocation(location: AskedLocation, workDir: string, signal?: AbortSignal): Promise<KnownLocation | undefined> {
  const stdout: string[] = [];
  const { command, args } = location.query;
  const result = await runProcess(command, args, { cwd: workDir, onLine: (line) => stdout.push(line), logStderr: false, signal });
  const answer = stdout
    .filter((line) => line.trim())
    .at(-1)
    ?.trim();
  const found = result.code === 0 && answer ? virtualEnvAt(location, answer) : undefined;
  if (found) writeAtomically(location.memoFile, found.env.VIRTUAL_ENV!);
  return found;
}

/** A folder counts as a virtual environment where the language host would run its python. */
function virtualEnvAt(location: AskedLocation, dir: string): KnownLocation | undefined {
  if (!path.isAbsolute(dir) || !fs.existsSync(path.join(dir, 'bin', 'python'))) return undefined;
  return { kind: 'known', stateFile: path.join(dir, STATE_FILE), env: virtualEnvEnv(dir, location.searchPath) };
}

export function isUpToDate(plan: DependencyPlan, location: KnownLocation): boolean {
  try {
    return (JSON.parse(fs.readFileSync(location.stateFile, 'utf8')) as { fingerprint?: unknown }).fingerprint === plan.fingerprint;
  } catch {
    return false;
  }
}

/**
 * Runs the plan's steps, streaming their output; a failing step stops with the tool's own words.
 * `before` is where the install was found before, whose record of what it was made from goes first.
 */
export async function installDependencies(
  plan: DependencyPlan,
  workDir: string,
  log: (line: string) => void,
  signal?: AbortSignal,
  before = plan.location.kind === 'known' ? plan.location : undefined,
): Promise<KnownLocation> {
  if (before) fs.rmSync(before.stateFile, { force: true });
  for (const step of plan.steps) {
    log(`$ ${[step.command, ...step.args].join(' ')}`);
    const result = await runProcess(step.command, step.args, { cwd: workDir, onLine: log, signal });
    if (signal?.aborted) throw new DependencyError(`cancelled while running '${path.basename(step.command)} ${step.args.join(' ')}'.`);
    if (result.code !== 0) {
      const detail = result.tail
        .filter((l) => l.trim())
        .slice(-5)
        .join('\n');
      throw new DependencyError(`'${path.basename(step.command)} ${step.args.join(' ')}' failed with exit code ${result.code}:\n${detail}`);
    }
  }
  const location = await locationAfterInstall(plan, workDir, signal);
  fs.mkdirSync(path.dirname(location.stateFile), { recursive: true });
  fs.writeFileSync(location.stateFile, JSON.stringify({ fingerprint: plan.fingerprint }));
  return location;
}

async function locationAfterInstall(plan: DependencyPlan, workDir: string, signal?: AbortSignal): Promise<KnownLocation> {
  if (plan.location.kind === 'known') return plan.location;
  const found = await askLocation(plan.location, workDir, signal);
  if (found) return found;
  const { command, args } = plan.location.query;
  throw new DependencyError(
    `'${[path.basename(command), ...args].join(' ')}' names no virtual environment after the install, and Pulumi runs the program in the one it names: let poetry create one (its setting virtualenvs.create must not be false).`,
  );
}
