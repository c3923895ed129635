// Starts dist/index.js the way a GitHub runner starts a JavaScript action: an `INPUT_<NAME>`
// variable for every input action.yml declares (the step's value, else the declared default with
// its expressions evaluated, else empty), the files behind GITHUB_OUTPUT and GITHUB_STEP_SUMMARY,
// an event payload, and RUNNER_TEMP. Shared by the local run (`npm run local`), the benchmarks and
// the end-to-end tests; the act suite checks the same action under an independent runner.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ACTION = path.join(REPO, 'dist', 'index.js');
const NODE = path.join(REPO, 'node_modules', '.bin', 'node');

/** The runner's name for an input: upper-cased, spaces to `_`, dashes kept. */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The `inputs:` of action.yml: name to `{ default?, required? }`. */
export function declaredInputs(actionFile = path.join(REPO, 'action.yml')) {
  return yaml.load(fs.readFileSync(actionFile, 'utf8')).inputs ?? {};
}

/**
 * Evaluates the `${{ … }}` expressions a default may hold, from the contexts a runner has when it
 * starts a step. Anything this emulation does not know is an error, not an empty string: a default
 * the tests cannot evaluate is a default they do not test.
 */
export function evaluateDefault(text, contexts) {
  return String(text).replace(/\$\{\{(.*?)\}\}/g, (whole, inner) => {
    const expression = inner.trim();
    const value = /^[a-z_]+(\.[A-Za-z_-]+)+$/.test(expression) ? expression.split('.').reduce((scope, key) => scope?.[key], contexts) : undefined;
    if (value === undefined) throw new Error(`runner emulation: cannot evaluate ${whole} in an action.yml default`);
    return String(value);
  });
}

/**
 * The INPUT_* variables a runner gives the step: every declared input, from `inputs` (the step's
 * `with:`), else its evaluated default, else empty. A required input the step leaves out is empty
 * too (the runner does not refuse it; the action must). An input action.yml does not declare never
 * reaches the action (the runner only warns), so giving one here is a mistake in the test.
 */
export function inputEnv(inputs, contexts, declared = declaredInputs()) {
  const unknown = Object.keys(inputs).filter((name) => !(name in declared));
  if (unknown.length > 0) throw new Error(`runner emulation: action.yml declares no input ${unknown.join(', ')}`);
  return Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => {
      const value = name in inputs ? String(inputs[name]) : spec?.default === undefined ? '' : evaluateDefault(spec.default, contexts);
      return [inputVariable(name), value];
    }),
  );
}

/** The workflow's token as a runner hands it out (`github.token`); tests of the API pass their own. */
export const RUNNER_TOKEN = 'ghs_runnerEmulationToken000000000000000';

/**
 * Prepares a runner-like folder under `dir` and returns the environment for one step.
 * `event` is the webhook payload; `env` is added last (PULUMI_*, GITHUB_API_URL, …); `token` is
 * `github.token`, which defaults such as `github-token`'s evaluate to. `actionFile`: another
 * action's action.yml, whose inputs the step then gets (the benchmarks run pulumi/actions so).
 */
export function runnerEnv({ dir, workspace, inputs, event = {}, eventName = 'workflow_dispatch', env = {}, base = process.env, token = RUNNER_TOKEN, actionFile }) {
  fs.mkdirSync(path.join(dir, 'temp'), { recursive: true });
  const files = {
    output: path.join(dir, 'output.txt'),
    summary: path.join(dir, 'summary.md'),
    event: path.join(dir, 'event.json'),
  };
  fs.writeFileSync(files.output, '');
  fs.writeFileSync(files.summary, '');
  fs.writeFileSync(files.event, JSON.stringify(event));
  const baseEnv = Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('GITHUB_')));
  const runnerVars = {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REPOSITORY: 'octo-org/infra',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    RUNNER_TEMP: path.join(dir, 'temp'),
    ...env,
  };
  const contexts = {
    github: {
      token,
      workspace,
      repository: runnerVars.GITHUB_REPOSITORY,
      server_url: runnerVars.GITHUB_SERVER_URL,
      api_url: runnerVars.GITHUB_API_URL,
      run_id: runnerVars.GITHUB_RUN_ID,
      event_name: eventName,
      event,
    },
    runner: { temp: runnerVars.RUNNER_TEMP, os: 'Linux' },
  };
  return { files, env: { ...baseEnv, ...inputEnv(inputs, contexts, declaredInputs(actionFile)), ...runnerVars } };
}

/** Runs the bundled action; resolves with its exit code and everything it printed. */
export function startAction(env, { cwd, onStdout } = {}) {
  const child = spawn(NODE, [ACTION], { cwd: cwd ?? env.GITHUB_WORKSPACE, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    onStdout?.(String(chunk));
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Cancels a started action as the runner cancels a step: SIGINT, SIGTERM 7.5 s later, and 2.5 s
 * after that SIGKILL to the action and every process under it. Resolves once the last signal that
 * was needed is sent (none, once the action has exited).
 */
export async function cancelAsRunner(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const exitedWithin = (ms) => {
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    return Promise.race([exited.then(() => true), late]).finally(() => clearTimeout(timer));
  };
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  if (await exitedWithin(7_500)) return;
  child.kill('SIGTERM');
  if (await exitedWithin(2_500)) return;
  for (const pid of [child.pid, ...descendantsOf(child.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
}

/** Every process whose chain of parents leads to `pid`, from /proc (Linux, as the runners are). */
function descendantsOf(pid) {
  const parents = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent is the 4th field, after the command name in parentheses (which may hold spaces).
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited meanwhile.
    }
  }
  const found = [];
  const visit = (parent) => {
    for (const [child, ppid] of parents) if (ppid === parent && !found.includes(child)) (found.push(child), visit(child));
  };
  visit(pid);
  return found;
}

/** Parses the GITHUB_OUTPUT file (`name<<delimiter` blocks, as @actions/core writes them). */
export function readOutputs(file) {
  const outputs = {};
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
      outputs[name] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return outputs;
}
