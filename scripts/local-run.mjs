#!/usr/bin/env node
// `npm run local [-- COMMAND]`: runs the bundled action the way a workflow step would, on the
// example Python program with a local file:// backend. No account, no network beyond PyPI for the
// virtual environment. Shows the log, the step outputs and the job summary a run would produce.
//   npm run local              # up
//   npm run local -- preview   # or refresh, output, destroy (approved here)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOutputs, REPO, runnerEnv, startAction } from './runner.mjs';
import { ensureToolchain, toolchainEnv } from './toolchain.mjs';

const command = process.argv[2] ?? 'up';
const dir = path.join(REPO, '.local-run');
const state = path.join(dir, 'state');
fs.mkdirSync(state, { recursive: true });

const bin = await ensureToolchain();
const { files, env } = runnerEnv({
  dir,
  workspace: REPO,
  inputs: {
    command,
    stack: 'dev',
    'work-dir': 'examples/python',
    'backend-url': `file://${state}`,
    config: JSON.stringify({
      message: 'hello from the local run',
      outDir: path.join(dir, 'out'),
      token: { value: 'local-run-secret', secret: true },
    }),
    'comment-on-pr': 'false',
  },
  env: {
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? '',
    PULUMI_DESTROY_APPROVED: 'true',
  },
  base: toolchainEnv(bin),
});

const { done } = startAction(env, { onStdout: (chunk) => process.stdout.write(chunk) });
const { code, stderr } = await done;
process.stderr.write(stderr);
console.log('\n── step outputs (GITHUB_OUTPUT) ──');
for (const [name, value] of Object.entries(readOutputs(files.output))) console.log(`${name} = ${value}`);
console.log('\n── job summary (GITHUB_STEP_SUMMARY) ──');
console.log(fs.readFileSync(files.summary, 'utf8'));
console.log(`exit code ${code}; state in ${state}, files in ${path.join(dir, 'out')}`);
process.exit(code);
