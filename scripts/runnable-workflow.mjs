#!/usr/bin/env node
// Turns a workflow written for GitHub (the examples in examples/workflows, the README's, the
// repository's own CI) into one that nektos/act runs on this machine, changing only what this
// machine cannot have, so the workflow's own jobs, conditions, matrices, expressions, inputs and
// outputs are what the act suite tests:
//   - the action as published (`octo-org/pulumi-stack-action@…`) becomes the one in the workspace
//     (`uses: ./`);
//   - `actions/checkout` becomes a `run:` step with the test's copy command (act's self-hosted
//     workspace starts empty);
//   - actions that set up the machine (setup-python, setup-node, cloud credentials) become a step
//     that says the machine provides it;
//   - artifacts go to a folder instead of GitHub's storage;
//   - Pulumi Cloud stays Pulumi Cloud: the stand-in the test runs takes the place of api.pulumi.com,
//     the CLI's default backend (PULUMI_BACKEND_URL for the whole workflow), and the workflow's
//     PULUMI_ACCESS_TOKEN is kept; cloud storage backends (`backend-url: s3://…`) become the test's
//     self-managed backend, with its passphrase for the whole workflow, and their `secrets-provider`
//     inputs (cloud KMS) are dropped;
//   - named `run:` steps that call services out of reach (`gh` against GitHub) are replaced by the
//     test's stand-in script, only where the test names them.
// Any other action a workflow uses is an error: a new example must say how it runs here.
//
//   node scripts/runnable-workflow.mjs FILE   prints FILE made runnable with placeholder settings
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

export const PUBLISHED_ACTION = /^octo-org\/pulumi-stack-action@/;
const MACHINE_SETUP = /^(actions\/setup-python|actions\/setup-node|aws-actions\/configure-aws-credentials)@/;

/**
 * @param {string} text the workflow file
 * @param {object} options
 * @param {string} options.checkout shell script standing for actions/checkout
 * @param {{ url: string }} options.cloud the Pulumi Cloud stand-in, for api.pulumi.com
 * @param {{ url: string; env?: Record<string, string> }} options.selfManaged the backend for cloud
 *   storage URLs, and workflow-level variables it needs (the passphrase, usually as `${{ secrets.… }}`)
 * @param {string} options.artifacts folder standing for GitHub's artifact storage
 * @param {Record<string, string>} [options.standIns] step name to the script that replaces it
 * @param {string[]} [options.dropEnv] variables to remove from every `env:` (a test of what the
 *   workflow does without them)
 * @returns {string} the runnable workflow
 */
export function runnableWorkflow(text, { checkout, cloud, selfManaged, artifacts, standIns = {}, dropEnv = [] }) {
  const workflow = yaml.load(text);
  const unused = new Set(Object.keys(standIns));
  const drop = new Set(dropEnv);
  const withoutDropped = (env, where) => {
    if (!env || typeof env !== 'object') return env;
    if ('PULUMI_BACKEND_URL' in env) {
      throw new Error(`runnableWorkflow: ${where} sets PULUMI_BACKEND_URL: say in scripts/runnable-workflow.mjs which backend stands in for it`);
    }
    const kept = Object.entries(env).filter(([k]) => !drop.has(k));
    return kept.length > 0 ? Object.fromEntries(kept) : undefined;
  };
  const backends = { cloud, selfManaged, usesSelfManaged: false };

  const workflowEnv = withoutDropped(workflow.env, 'the workflow');
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    job.env = withoutDropped(job.env, `job ${id}`);
    job.steps = (job.steps ?? []).map((step) => {
      const name = step.name;
      if (name && name in standIns) {
        unused.delete(name);
        return { ...step, run: standIns[name] };
      }
      const runnable = runnableStep(step, { id, checkout, backends, artifacts });
      runnable.env = withoutDropped(runnable.env, `a step of job ${id}`);
      return runnable;
    });
  }
  if (unused.size > 0) throw new Error(`runnableWorkflow: no step is named ${[...unused].join(', ')}`);
  workflow.env = { ...workflowEnv, PULUMI_BACKEND_URL: cloud.url, ...(backends.usesSelfManaged ? selfManaged.env : {}) };
  return yaml.dump(workflow, { lineWidth: -1, noRefs: true });
}

/** Backends the CLI runs itself against storage it is given: no Pulumi Cloud account involved. */
const SELF_MANAGED = /^(file|s3|gs|azblob|postgres):\/\//;

function runnableStep(step, { id, checkout, backends, artifacts }) {
  const uses = step.uses;
  if (!uses || uses.startsWith('./')) return { ...step };
  if (PUBLISHED_ACTION.test(uses)) {
    const inputs = { ...step.with };
    if ('backend-url' in inputs) {
      if (SELF_MANAGED.test(inputs['backend-url'])) {
        inputs['backend-url'] = backends.selfManaged.url;
        backends.usesSelfManaged = true;
        delete inputs['secrets-provider'];
      } else {
        inputs['backend-url'] = backends.cloud.url;
      }
    }
    return { ...step, uses: './', with: inputs };
  }
  const { uses: _, with: inputs = {}, ...rest } = step;
  if (/^actions\/checkout@/.test(uses)) return { ...rest, name: step.name ?? 'Check out (a copy of the test repository)', run: checkout };
  if (MACHINE_SETUP.test(uses)) return { ...rest, name: step.name ?? uses, run: `echo "${uses}: provided by this machine"` };
  if (/^actions\/upload-artifact@/.test(uses)) {
    const folder = path.join(artifacts, required(inputs, 'name', uses));
    return { ...rest, name: step.name ?? `upload ${inputs.name}`, run: `mkdir -p '${folder}' && cp -R ${required(inputs, 'path', uses)} '${folder}/'` };
  }
  if (/^actions\/download-artifact@/.test(uses)) {
    const folder = path.join(artifacts, required(inputs, 'name', uses));
    return { ...rest, name: step.name ?? `download ${inputs.name}`, run: `cp -R '${folder}/.' "${inputs.path ?? '.'}"` };
  }
  throw new Error(`runnableWorkflow: job ${id} uses ${uses}, which this machine cannot run: say in scripts/runnable-workflow.mjs how it stands in here`);
}

function required(inputs, name, uses) {
  if (!inputs[name]) throw new Error(`runnableWorkflow: ${uses} without '${name}'`);
  return inputs[name];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node scripts/runnable-workflow.mjs WORKFLOW_FILE\n');
    process.exit(2);
  }
  process.stdout.write(
    runnableWorkflow(fs.readFileSync(file, 'utf8'), {
      checkout: 'cp -R "$TEST_REPOSITORY/." .',
      cloud: { url: 'https://127.0.0.1:8443' },
      selfManaged: { url: 'file:///tmp/pulumi-state', env: { PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}' } },
      artifacts: '/tmp/artifacts',
    }),
  );
}
