// reviewed-plan.yml, monorepo.yml and the repository's own CI under nektos/act: a plan saved on a
// pull request and applied after the merge (its digest carried in step outputs), on Pulumi Cloud
// (the stand-in); a `detect` job whose matrix output (`needs.detect.outputs.matrix`) fans out into
// preview jobs, on the S3 backend monorepo.yml names (a file:// folder here); and ci.yml's `action`
// job, which runs the action with `uses: ./` as GitHub will.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  actionSteps,
  addWorkflow,
  CLOUD_TOKEN,
  copyProgram,
  EXAMPLE_REPOSITORY,
  exampleWorkflow,
  jobOf,
  PASSPHRASE,
  pullRequestEvent,
  pushToMain,
  pulumiCli,
  resultOf,
  secretsIn,
  startActSuite,
  stepOf,
  WORKFLOW_TOKEN,
  type ActSuite,
} from '../support/act.js';
import { REPO } from '../../scripts/runner.mjs';

const { owner, repo: name } = EXAMPLE_REPOSITORY;

let suite: ActSuite;

beforeAll(async () => {
  suite = await startActSuite();
});

afterAll(() => suite.close());

/** A stack config file that keeps the program's files out of act's job folder, which each job has anew. */
function stackFile(dir: string, stack: string, outDir: string): void {
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), `config:\n  files-py:outDir: ${JSON.stringify(outDir)}\n`);
}

describe('reviewed-plan.yml', () => {
  it('applies after the merge exactly the plan the pull request saved', async () => {
    const repo = suite.repository();
    const outDir = path.join(path.dirname(repo.dir), 'prod-files');
    stackFile(path.join(repo.dir, 'infra'), 'prod', outDir);
    // As the team did when it set the stack up; Pulumi Cloud keeps the stack's secrets key, so every
    // job decrypts what another encrypted.
    pulumiCli(repo, 'infra', ['stack', 'init', 'prod']);
    const workflow = addWorkflow(repo, 'reviewed-plan.yml', exampleWorkflow('reviewed-plan.yml'), {
      // The step asks GitHub (`gh`) which pull-request run made the plan; act's artifacts stand-in
      // keeps one plan, so the answer is the run that saved it.
      standIns: { "Find the reviewed plan's run": 'echo "run-id=1" >> "$GITHUB_OUTPUT"' },
    });

    const opened = pullRequestEvent('opened');
    suite.api.setPullRequest(owner, name, opened.number, { headSha: opened.pull_request.head.sha });
    const planned = await suite.run(repo, { workflow, event: 'pull_request', payload: opened });
    const plan = jobOf(planned, 'plan');
    expect(resultOf(planned, plan)).toEqual({ job: plan.name, result: 'success' });
    const digest = stepOf(plan, 'preview').outputs['plan-digest'];
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // `PLAN_DIGEST: ${{ steps.preview.outputs.plan-digest }}` in a later step, into the job summary.
    expect(plan.summary).toContain(`digest \`${digest}\``);
    expect(fs.existsSync(path.join(repo.artifacts, 'pulumi-plan-prod', 'plan.json'))).toBe(true);
    expect(fs.existsSync(outDir)).toBe(false);
    expect(suite.api.statuses(owner, name, opened.pull_request.head.sha).map((s) => `${s.context} ${s.state}`)).toEqual(['pulumi/files-py/prod pending']);

    const applied = await suite.run(repo, { workflow, event: 'push', payload: pushToMain() });
    const apply = jobOf(applied, 'apply');
    expect(resultOf(applied, apply)).toEqual({ job: apply.name, result: 'success' });
    expect(stepOf(apply, 'up').outputs).toMatchObject({ 'plan-digest': digest, 'has-changes': 'true' });
    expect(apply.summary).toContain(`Applied plan digest \`${digest}\``);
    expect(fs.readdirSync(outDir).sort()).toEqual(['file-0.txt', 'file-1.txt', 'file-2.txt', 'manifest.json']);
    expect(secretsIn(planned.log + applied.log, [PASSPHRASE, WORKFLOW_TOKEN, CLOUD_TOKEN])).toEqual([]);
  });
});

describe('monorepo.yml', () => {
  it("previews, one matrix job each, the stacks the pull request's files touch", async () => {
    const filesDir = (dir: string) => path.join(dir, 'infra', 'files');
    const repo = suite.repository({
      layout: (dir) => {
        copyProgram(filesDir(dir));
        for (const stack of ['dev', 'prod']) stackFile(filesDir(dir), stack, path.join(path.dirname(dir), `files-${stack}`));
        // A second project the pull request does not touch.
        const other = path.join(dir, 'infra', 'other');
        copyProgram(other);
        fs.writeFileSync(path.join(other, 'Pulumi.yaml'), fs.readFileSync(path.join(other, 'Pulumi.yaml'), 'utf8').replace('name: files-py', 'name: other-py'));
        fs.writeFileSync(path.join(other, 'Pulumi.dev.yaml'), 'config: {}\n');
      },
    });
    const payload = pullRequestEvent('opened');
    suite.api.seedPullFiles(owner, name, payload.number, ['infra/files/__main__.py', 'README.md']);
    suite.api.setPullRequest(owner, name, payload.number, { headSha: payload.pull_request.head.sha });
    const workflow = addWorkflow(repo, 'monorepo.yml', exampleWorkflow('monorepo.yml'));
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload });

    const detect = jobOf(run, 'detect');
    expect(resultOf(run, detect)).toEqual({ job: detect.name, result: 'success' });
    expect(JSON.parse(stepOf(detect, 'detect').outputs.matrix!)).toEqual({
      include: [
        { project: 'files-py', stack: 'dev', 'work-dir': 'infra/files' },
        { project: 'files-py', stack: 'prod', 'work-dir': 'infra/files' },
      ],
    });
    for (const stack of ['dev', 'prod']) {
      const preview = jobOf(run, 'preview', { stack });
      expect(resultOf(run, preview)).toEqual({ job: preview.name, result: 'success' });
      expect(actionSteps(preview)[0]!.outputs.stack).toBe(`organization/files-py/${stack}`);
    }
    expect(run.jobs.filter((j) => j.id === 'preview')).toHaveLength(2);
    const bodies = suite.api.comments(owner, name, payload.number).map((c) => c.body);
    expect(bodies.filter((b) => b.includes('Stack <code>dev</code>'))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('Stack <code>prod</code>'))).toHaveLength(1);
    expect(suite.api.rejected).toEqual([]);
    expect(secretsIn(run.log, [PASSPHRASE, WORKFLOW_TOKEN])).toEqual([]);
  });
});

describe("detect's matrix in a run: step", () => {
  it('never puts a stack file name or folder name into a shell script as code', async () => {
    const markers = { stack: '', folder: '' };
    const repo = suite.repository({
      layout: (dir) => {
        const files = path.join(dir, 'infra', 'files');
        copyProgram(files);
        fs.writeFileSync(path.join(files, 'Pulumi.dev.yaml'), 'config: {}\n');
        // Files anyone can add in a pull request: `${{ matrix.stack }}` in a script runs what they name.
        fs.writeFileSync(path.join(files, 'Pulumi.$(touch $STACK_MARKER).yaml'), 'config: {}\n');
        const folder = path.join(dir, 'infra', 'a$(touch $FOLDER_MARKER)');
        copyProgram(folder);
        fs.writeFileSync(path.join(folder, 'Pulumi.dev.yaml'), 'config: {}\n');
        markers.stack = path.join(path.dirname(dir), 'pwned-by-stack-name');
        markers.folder = path.join(path.dirname(dir), 'pwned-by-folder-name');
      },
    });
    const workflow = addWorkflow(
      repo,
      'matrix-in-a-script.yml',
      [
        'name: matrix in a script',
        'on: pull_request',
        'permissions:',
        '  contents: read',
        '  pull-requests: read',
        'jobs:',
        '  detect:',
        '    runs-on: ubuntu-latest',
        '    outputs:',
        '      matrix: ${{ steps.detect.outputs.matrix }}',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - id: detect',
        '        uses: octo-org/pulumi-stack-action@v1',
        '        with:',
        '          command: detect',
        '          work-dir: infra',
        '  each:',
        '    needs: detect',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      matrix: ${{ fromJSON(needs.detect.outputs.matrix) }}',
        '    steps:',
        '      - id: echo',
        '        run: echo ${{ matrix.stack }} in ${{ matrix.work-dir }}',
        '        env:',
        `          STACK_MARKER: ${markers.stack}`,
        `          FOLDER_MARKER: ${markers.folder}`,
        '',
      ].join('\n'),
    );
    const payload = pullRequestEvent('opened');
    suite.api.seedPullFiles(owner, name, payload.number, ['infra/files/__main__.py', 'infra/a$(touch $FOLDER_MARKER)/__main__.py']);
    const run = await suite.run(repo, { workflow, event: 'pull_request', payload });

    expect({ stack: fs.existsSync(markers.stack), folder: fs.existsSync(markers.folder) }).toEqual({ stack: false, folder: false });
    const detect = jobOf(run, 'detect');
    expect(resultOf(run, detect)).toEqual({ job: detect.name, result: 'success' });
    expect(JSON.parse(stepOf(detect, 'detect').outputs.matrix!)).toEqual({ include: [{ project: 'files-py', stack: 'dev', 'work-dir': 'infra/files' }] });
    expect(run.log).toMatch(/Skipped 2 stacks that a workflow step could not safely use from 'matrix'/);
    const each = jobOf(run, 'each', { stack: 'dev' });
    expect(resultOf(run, each)).toEqual({ job: each.name, result: 'success' });
    expect(stepOf(each, 'echo').output).toContain('dev in infra/files');
    expect(run.jobs.filter((j) => j.id === 'each')).toHaveLength(1);
  });
});

describe("the repository's CI", () => {
  it('runs preview, up and destroy of examples/python with uses: ./ (job action of ci.yml)', async () => {
    const repo = suite.repository({ layout: (dir) => copyProgram(path.join(dir, 'examples', 'python')) });
    const workflow = addWorkflow(repo, 'ci.yml', fs.readFileSync(path.join(REPO, '.github', 'workflows', 'ci.yml'), 'utf8'));
    const run = await suite.run(repo, { workflow, event: 'push', payload: pushToMain(), job: 'action' });
    const job = jobOf(run, 'action');
    expect(resultOf(run, job)).toEqual({ job: job.name, result: 'success' });
    expect(['preview', 'up', 'destroy'].map((step) => stepOf(job, step).result)).toEqual(['success', 'success', 'success']);
    expect(stepOf(job, 'up').outputs.greeting).toBe('Hello from CI, ci!');
    // Its state lives in the job's workspace (the workflow's own file:// backend), gone with the job.
    expect(JSON.parse(stepOf(job, 'destroy').outputs.changes!)).toMatchObject({ delete: 5 });
  });
});
