// Prepares the program's dependencies: a Python virtual environment or a Node.js install, reused
// when nothing it was built from has changed (a fingerprint stored beside it).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectFile } from '../settings.js';
import { findOnPath } from './version-check.js';
import { runProcess } from './process.js';

export interface Step {
  command: string;
  args: string[];
}

/** What to install, how, and what the result depends on. Pure: built from files, run elsewhere. */
export interface DependencyPlan {
  description: string;
  /** Where the fingerprint of the last successful install is kept. */
  stateFile: string;
  fingerprint: string;
  steps: Step[];
  /** Environment the program needs to find what was installed (a virtual environment's PATH). */
  env: Record<string, string>;
}

const STATE_FILE = '.pulumi-stack-action.json';

export class DependencyError extends Error {
  override name = 'DependencyError';
}

type Env = Record<string, string | undefined>;

export function planDependencies(workDir: string, project: ProjectFile, env: Env): DependencyPlan | undefined {
  if (project.runtime === 'python') return planPython(workDir, project, env);
  if (project.runtime === 'nodejs') return planNode(workDir, env);
  return undefined;
}

function planPython(workDir: string, project: ProjectFile, env: Env): DependencyPlan {
  const options = project.runtimeOptions;
  const venv = path.resolve(workDir, typeof options.virtualenv === 'string' ? options.virtualenv : 'venv');
  const venvPython = path.join(venv, 'bin', 'python');
  const python = env.PULUMI_PYTHON_CMD || findOnPath('python3', env.PATH ?? '') || 'python3';
  const requirements = path.join(workDir, 'requirements.txt');
  const hasRequirements = fs.existsSync(requirements);
  const uv = options.toolchain === 'uv' || (options.toolchain === undefined && findOnPath('uv', env.PATH ?? ''))
    ? findOnPath('uv', env.PATH ?? '') ?? 'uv'
    : undefined;

  const steps: Step[] = uv
    ? [
        { command: uv, args: ['venv', '--allow-existing', '--python', python, venv] },
        ...(hasRequirements ? [{ command: uv, args: ['pip', 'install', '--python', venvPython, '-r', requirements] }] : []),
      ]
    : [
        { command: python, args: ['-m', 'venv', venv] },
        { command: venvPython, args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade', 'pip'] },
        ...(hasRequirements
          ? [{ command: venvPython, args: ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirements] }]
          : []),
      ];
  return {
    description: `Python virtual environment ${path.relative(workDir, venv) || venv} (${uv ? 'uv' : 'pip'})`,
    stateFile: path.join(venv, STATE_FILE),
    fingerprint: fingerprint([
      uv ? 'uv' : 'pip',
      interpreterIdentity(python),
      hasRequirements ? fs.readFileSync(requirements, 'utf8') : '',
    ]),
    steps,
    // The language host uses `virtualenv` from Pulumi.yaml when set; these cover projects that leave it out.
    env: { VIRTUAL_ENV: venv, PATH: `${path.join(venv, 'bin')}${path.delimiter}${env.PATH ?? ''}` },
  };
}

/** A lockfile names the package manager; without one, npm install. */
const NODE_INSTALLERS: { lockfile: string; command: string; args: string[] }[] = [
  { lockfile: 'package-lock.json', command: 'npm', args: ['ci', '--no-audit', '--no-fund'] },
  { lockfile: 'pnpm-lock.yaml', command: 'pnpm', args: ['install', '--frozen-lockfile'] },
  { lockfile: 'yarn.lock', command: 'yarn', args: ['install', '--frozen-lockfile'] },
  { lockfile: 'bun.lock', command: 'bun', args: ['install', '--frozen-lockfile'] },
];

function planNode(workDir: string, env: Env): DependencyPlan {
  const installer = NODE_INSTALLERS.find((i) => fs.existsSync(path.join(workDir, i.lockfile)));
  const inputs = installer ? installer.lockfile : 'package.json';
  return {
    description: `Node.js packages (${installer ? `${installer.command} ${installer.args[0]}` : 'npm install'})`,
    stateFile: path.join(workDir, 'node_modules', STATE_FILE),
    fingerprint: fingerprint([interpreterIdentity(findOnPath('node', env.PATH ?? '') ?? 'node'), readIfExists(path.join(workDir, inputs))]),
    steps: [installer ?? { command: 'npm', args: ['install', '--no-audit', '--no-fund'] }],
    env: {},
  };
}

/** An interpreter's resolved path and timestamp stand in for its version, without running it. */
function interpreterIdentity(python: string): string {
  try {
    const real = fs.realpathSync(python);
    return `${real}@${fs.statSync(real).mtimeMs}`;
  } catch {
    return python;
  }
}

function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function fingerprint(parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

export function isUpToDate(plan: DependencyPlan): boolean {
  try {
    return JSON.parse(fs.readFileSync(plan.stateFile, 'utf8')).fingerprint === plan.fingerprint;
  } catch {
    return false;
  }
}

/** Runs the plan's steps, streaming their output; a failing step stops with the tool's own words. */
export async function installDependencies(plan: DependencyPlan, workDir: string, log: (line: string) => void, signal?: AbortSignal): Promise<void> {
  fs.rmSync(plan.stateFile, { force: true });
  for (const step of plan.steps) {
    log(`$ ${[step.command, ...step.args].join(' ')}`);
    const result = await runProcess(step.command, step.args, { cwd: workDir, onLine: log, signal });
    if (signal?.aborted) throw new DependencyError(`cancelled while running '${path.basename(step.command)} ${step.args.join(' ')}'.`);
    if (result.code !== 0) {
      const detail = result.tail.filter((l) => l.trim()).slice(-5).join('\n');
      throw new DependencyError(`'${path.basename(step.command)} ${step.args.join(' ')}' failed with exit code ${result.code}:\n${detail}`);
    }
  }
  fs.mkdirSync(path.dirname(plan.stateFile), { recursive: true });
  fs.writeFileSync(plan.stateFile, JSON.stringify({ fingerprint: plan.fingerprint }));
}
