// Starts dist/index.js the way a GitHub runner starts a JavaScript action: `INPUT_<NAME>`
// variables, the files behind GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, an event payload, and
// RUNNER_TEMP. Shared by the local run (`npm run local`) and the end-to-end tests.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ACTION = path.join(REPO, 'dist', 'index.js');
const NODE = path.join(REPO, 'node_modules', '.bin', 'node');

/** The runner's name for an input: upper-cased, spaces to `_`, dashes kept. */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Prepares a runner-like folder under `dir` and returns the environment for one step.
 * `event` is the webhook payload; `env` is added last (PULUMI_*, GITHUB_API_URL, …).
 */
export function runnerEnv({ dir, workspace, inputs, event = {}, eventName = 'workflow_dispatch', env = {}, base = process.env }) {
  fs.mkdirSync(path.join(dir, 'temp'), { recursive: true });
  const files = {
    output: path.join(dir, 'output.txt'),
    summary: path.join(dir, 'summary.md'),
    event: path.join(dir, 'event.json'),
  };
  fs.writeFileSync(files.output, '');
  fs.writeFileSync(files.summary, '');
  fs.writeFileSync(files.event, JSON.stringify(event));
  const stepEnv = Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('GITHUB_')));
  for (const [name, value] of Object.entries(inputs)) stepEnv[inputVariable(name)] = String(value);
  return {
    files,
    env: {
      ...stepEnv,
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
    },
  };
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
