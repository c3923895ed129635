// End-to-end harness: a temporary workspace holding a copy of an example program, a file://
// backend, and the bundled action started as the runner starts it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readOutputs, REPO, runnerEnv, startAction, type ActionRun } from '../../scripts/runner.mjs';

export interface Workspace {
  root: string;
  /** The example's folder inside the workspace, relative to it. */
  workDir: string;
  backendUrl: string;
  stateDir: string;
  outDir: string;
}

const SKIP = new Set(['venv', '.venv', 'node_modules', 'out', '__pycache__']);

/** Copies examples/<name> to `to`, without anything a run leaves behind (stack files included). */
export function copyExample(example: 'python' | 'typescript', to: string): void {
  fs.cpSync(path.join(REPO, 'examples', example), to, {
    recursive: true,
    filter: (src) => !SKIP.has(path.basename(src)) && !/^Pulumi\..+\.yaml$/.test(path.basename(src)),
  });
}

/** Copies examples/<name> into a fresh workspace. */
export function makeWorkspace(example: 'python' | 'typescript'): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${example}-`));
  const workDir = path.join('infra', example);
  copyExample(example, path.join(root, workDir));
  const stateDir = path.join(root, '.state');
  fs.mkdirSync(stateDir);
  return { root, workDir, backendUrl: `file://${stateDir}`, stateDir, outDir: path.join(root, 'out') };
}

export interface StepResult extends ActionRun {
  outputs: Record<string, string>;
  summary: string;
}

export interface StepOptions {
  inputs: Record<string, string | number | boolean>;
  env?: Record<string, string | undefined>;
  event?: unknown;
  eventName?: string;
}

let runCounter = 0;

/**
 * Runs one action step in the workspace and collects what the runner would show. Every step of the
 * suite is also searched for its secrets (secret config values, the state passphrase): none may
 * appear in what it printed, its outputs or its job summary.
 */
export async function runStep(ws: Workspace, options: StepOptions): Promise<StepResult> {
  const { files, env } = prepareStep(ws, options);
  const run = await startAction(env).done;
  const result = { ...run, outputs: readOutputs(files.output), summary: fs.readFileSync(files.summary, 'utf8') };
  const leaks = secretLeaks(result, secretsOf(options, env));
  if (leaks.length > 0) throw new Error(`secrets leaked: ${leaks.join('; ')}`);
  return result;
}

/** The secret values a step was given: `{"secret": true}` config entries, the passphrase and a Pulumi Cloud token. */
export function secretsOf(options: StepOptions, env: NodeJS.ProcessEnv): string[] {
  const secrets = [env.PULUMI_CONFIG_PASSPHRASE, env.PULUMI_ACCESS_TOKEN].filter((s): s is string => Boolean(s));
  try {
    const config = JSON.parse(String(options.inputs.config ?? '{}')) as Record<string, unknown>;
    for (const value of Object.values(config)) {
      const entry = value as { value?: unknown; secret?: unknown } | null;
      if (entry && typeof entry === 'object' && entry.secret === true) secrets.push(String(entry.value));
    }
  } catch {
    // A malformed config (a bad-input test) carries no secret to look for.
  }
  return secrets.filter((s) => s.length >= 4);
}

/** Where a secret shows up; `::add-mask::` lines are the runner's to consume and never shown. */
export function secretLeaks(run: StepResult, secrets: readonly string[]): string[] {
  const shown = {
    stdout: run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr,
    GITHUB_OUTPUT: JSON.stringify(run.outputs),
    GITHUB_STEP_SUMMARY: run.summary,
  };
  return secrets.flatMap((secret) =>
    Object.entries(shown)
      .filter(([, text]) => text.includes(secret))
      .map(([where]) => `${secret.slice(0, 3)}… in ${where}`),
  );
}

export function prepareStep(ws: Workspace, options: StepOptions) {
  return runnerEnv({
    dir: path.join(ws.root, '.runner', String(++runCounter)),
    workspace: ws.root,
    inputs: { 'work-dir': ws.workDir, 'backend-url': ws.backendUrl, ...options.inputs },
    event: options.event,
    eventName: options.eventName,
    // The action remembers the CLI's version under XDG_CACHE_HOME: one per workspace, not the user's.
    env: { PULUMI_CONFIG_PASSPHRASE: 'e2e-passphrase', XDG_CACHE_HOME: path.join(ws.root, '.cache'), ...options.env },
  });
}

/** Every file under the state folder with its bytes, to prove a failed step changed nothing. */
export function snapshotState(ws: Workspace): Map<string, string> {
  const snapshot = new Map<string, string>();
  for (const entry of fs.readdirSync(ws.stateDir, { recursive: true })) {
    const file = path.join(ws.stateDir, String(entry));
    if (fs.statSync(file).isFile()) snapshot.set(String(entry), fs.readFileSync(file, 'base64'));
  }
  return snapshot;
}

/** The `::error::` lines a step printed (what the runner shows as annotations). */
export function errorsOf(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith('::error'));
}

export function filesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Runs the real CLI on the workspace's program and a backend, for what a person would do by hand. */
export function pulumiCli(ws: Workspace, args: string[], backendUrl = ws.backendUrl): string {
  const { env } = prepareStep(ws, { inputs: {} });
  return execFileSync('pulumi', [...args, '--non-interactive'], {
    cwd: path.join(ws.root, ws.workDir),
    env: { ...env, PULUMI_BACKEND_URL: backendUrl },
    encoding: 'utf8',
  });
}

/**
 * A runner's tool cache (RUNNER_TOOL_CACHE) holding a `pulumi` that says it is `version` and runs
 * the real CLI for everything else. Returns the cache and the version's folder in it.
 */
export function fakeToolCache(ws: Workspace, version: string): { toolCache: string; root: string } {
  const realPulumi = execFileSync('sh', ['-c', 'command -v pulumi'], { encoding: 'utf8' }).trim();
  const toolCache = path.join(ws.root, '.toolcache');
  const root = path.join(toolCache, 'pulumi', version, process.arch);
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bin', 'pulumi'), `#!/bin/sh\n[ "$1" = version ] && echo v${version} && exit 0\nexec "${realPulumi}" "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(`${root}.complete`, '');
  return { toolCache, root };
}

/** A workspace of the Python example whose virtual environment the first run has built, so the tests run at CLI speed. */
export async function preparedWorkspace(): Promise<Workspace> {
  const ws = makeWorkspace('python');
  const setup = await runStep(ws, { inputs: { command: 'preview', stack: 'dev', 'comment-on-pr': 'false', config: JSON.stringify({ outDir: ws.outDir }) } });
  if (setup.code !== 0) throw new Error(`the setup preview failed:\n${setup.stdout}`);
  return ws;
}
