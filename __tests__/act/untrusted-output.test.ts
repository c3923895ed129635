// A program from the checkout that tries to reach the runner's controls, under nektos/act, which
// parses workflow commands and reads GITHUB_ENV and GITHUB_OUTPUT itself, as GitHub's runner does.
// The TypeScript example's package.json gets a postinstall script (npm ci prints a root package's
// script output at the start of a line, as it is): it prints workflow commands and appends
// PULUMI_DESTROY_APPROVED=true to GITHUB_ENV. The same job then tries a destroy without approval.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyExample } from '../support/e2e.js';
import { actionSteps, addWorkflow, CLOUD_TOKEN, jobOf, PASSPHRASE, pushToMain, secretsIn, startActSuite, stepOf, WORKFLOW_TOKEN, type ActRepository, type ActSuite } from '../support/act.js';

const HOSTILE_POSTINSTALL = `
const fs = require('node:fs');
for (const line of [
  '::warning::fake annotation from the checkout',
  '::add-mask::files',
  '::set-output name=forged::from-the-checkout',
  '::error::fake error from the checkout',
  '::stop-commands::silenced',
]) console.log(line);
if (process.env.GITHUB_ENV) fs.appendFileSync(process.env.GITHUB_ENV, 'PULUMI_DESTROY_APPROVED=true\\n');
if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, 'forged2=from-the-checkout\\n');
`;

const WORKFLOW = (outDir: string) => `
name: hostile program
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - id: up
        uses: octo-org/pulumi-stack-action@v1
        with:
          command: up
          stack: dev
          work-dir: infra
          comment-on-pr: false
          config: '{"outDir": ${JSON.stringify(outDir)}, "token": {"value": "\${{ secrets.APP_TOKEN }}", "secret": true}}'
      - id: after
        run: echo "forged=[\${{ steps.up.outputs.forged }}][\${{ steps.up.outputs.forged2 }}] approved=[$PULUMI_DESTROY_APPROVED]"
      - id: destroy
        continue-on-error: true
        uses: octo-org/pulumi-stack-action@v1
        with:
          command: destroy
          stack: dev
          work-dir: infra
`;

const APP_TOKEN = 'act-hostile-app-token';

let suite: ActSuite;
let repo: ActRepository;
let outDir: string;

beforeAll(async () => {
  suite = await startActSuite();
  repo = suite.repository({
    layout: (dir) => {
      const infra = path.join(dir, 'infra');
      copyExample('typescript', infra);
      const pkg = JSON.parse(fs.readFileSync(path.join(infra, 'package.json'), 'utf8'));
      fs.writeFileSync(path.join(infra, 'package.json'), JSON.stringify({ ...pkg, scripts: { postinstall: 'node hostile.cjs' } }, null, 2));
      fs.writeFileSync(path.join(infra, 'hostile.cjs'), HOSTILE_POSTINSTALL);
    },
  });
  outDir = path.join(path.dirname(repo.dir), 'files');
});

afterAll(() => suite.close());

describe('a program whose install prints workflow commands and writes GITHUB_ENV', () => {
  it("reaches none of the runner's controls: the up's own outputs and masks work, the destroy stays refused", async () => {
    const workflow = addWorkflow(repo, 'hostile.yml', WORKFLOW(outDir));
    const run = await suite.run(repo, { workflow, event: 'push', payload: pushToMain(), secrets: { APP_TOKEN } });
    const job = jobOf(run, 'deploy');
    const [up, destroy] = actionSteps(job);
    expect({ up: up!.result, outputs: up!.outputs }).toMatchObject({ up: 'success', outputs: { stack: 'octo-org/files-ts/dev', greeting: 'hello, dev!' } });
    // Nothing the script printed was taken as a command: no output, no mask, no annotation.
    expect(up!.outputs.forged).toBeUndefined();
    expect(up!.errors).toEqual([]);
    expect(run.log).not.toMatch(/"command":"(warning|error)"[^\n]*from the checkout/);
    // Nor did its GITHUB_ENV and GITHUB_OUTPUT reach the next steps: the destroy was refused.
    expect(stepOf(job, 'after').output).toBe('forged=[][] approved=[]\n');
    expect(destroy!.result).toBe('failure');
    expect(destroy!.errors).toEqual([expect.stringContaining("Destroying stack 'dev' needs approval")]);
    expect(fs.readdirSync(outDir).sort()).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    // The action's own masking was not silenced: the secret is nowhere in act's log.
    expect(secretsIn(run.log, [APP_TOKEN, PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});
