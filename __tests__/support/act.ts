// Runs real workflow files through nektos/act, an independent implementation of GitHub's runner
// that reads action.yml itself (defaults, expressions, required inputs), evaluates the workflow's
// expressions and passes step and job outputs on. Jobs run on this machine (`-P
// ubuntu-latest=-self-hosted`), each in an empty folder of act's that a copy step fills, the way
// actions/checkout would.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ACT_ENV, ensureAct } from '../../scripts/act.mjs';
import { runnableWorkflow } from '../../scripts/runnable-workflow.mjs';
import { REPO } from '../../scripts/runner.mjs';
import { copyExample } from './e2e.js';
import { startGitHubApi, type GitHubApiServer } from './github-api.js';
import { startPulumiCloud, type PulumiCloud, type PulumiCloudUser } from './pulumi-cloud.js';
import { throwawayCertificate } from './tls.js';
import { examplePayload } from './webhook-examples.js';

/** The repository GitHub's example payloads come from; act names it after the `origin` remote. */
export const EXAMPLE_REPOSITORY = { owner: 'Codertocat', repo: 'Hello-World' };
/** The state passphrase, handed to workflows as the secret PULUMI_CONFIG_PASSPHRASE. */
export const PASSPHRASE = 'act-suite-passphrase';

/**
 * The Pulumi Cloud account whose token workflows get as the secret PULUMI_ACCESS_TOKEN: a member of
 * the organization `octo-org`, which the service names as its default, so stacks named without
 * `org` are `octo-org/<project>/<stack>`.
 */
export const CLOUD_ACCOUNT: PulumiCloudUser = { token: 'pul-act-suite-deployer-0123456789', login: 'octo-deployer', organizations: ['octo-org'], defaultOrg: 'octo-org' };
export const CLOUD_TOKEN = CLOUD_ACCOUNT.token;

export interface ActRepository {
  /** The git repository act runs in, and the one the checkout step copies. */
  dir: string;
  /** The self-managed backend (a `file://` folder) that cloud storage URLs such as `s3://…` become. */
  stateDir: string;
  backendUrl: string;
  artifacts: string;
  /** Pulumi Cloud (the stand-in), which workflows reach as the CLI's default backend. */
  cloudUrl: string;
  /** What the CLI needs, by hand, to reach Pulumi Cloud as the workflows' account. */
  cloudEnv: Record<string, string>;
}

/**
 * A repository as a user's would look: the action's action.yml and dist/ (what `uses: ./` runs),
 * the example Python program in `infra/` (or as `layout` arranges it), and git with GitHub's
 * example repository as `origin`.
 */
export function makeRepository(cloud: { url: string; env: Record<string, string> }, options: { layout?: (dir: string) => void } = {}): ActRepository {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'act-'));
  const dir = path.join(root, 'repository');
  const stateDir = path.join(root, 'state');
  const artifacts = path.join(root, 'artifacts');
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(artifacts);
  fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'action.yml'), path.join(dir, 'action.yml'));
  fs.cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true });
  (options.layout ?? ((d) => copyProgram(path.join(d, 'infra'))))(dir);
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['remote', 'add', 'origin', `https://github.com/${EXAMPLE_REPOSITORY.owner}/${EXAMPLE_REPOSITORY.repo}.git`]);
  return { dir, stateDir, backendUrl: `file://${stateDir}`, artifacts, cloudUrl: cloud.url, cloudEnv: cloud.env };
}

/** Runs the real CLI on a program of the repository against Pulumi Cloud, as a person would by hand. */
export function pulumiCli(repo: ActRepository, workDir: string, args: string[]): string {
  const result = spawnSync('pulumi', [...args, '--non-interactive'], {
    cwd: path.join(repo.dir, workDir),
    env: { ...process.env, ...repo.cloudEnv },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`pulumi ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** The stacks of Pulumi Cloud, by name, as `pulumi stack ls` lists them. */
export function stacksOf(repo: ActRepository, workDir = 'infra'): string[] {
  const listed = JSON.parse(pulumiCli(repo, workDir, ['stack', 'ls', '--all', '--json'])) as { name: string }[];
  return listed.map((s) => s.name.split('/').pop()!).sort();
}

/** The example Python program, without anything a run leaves behind. */
export function copyProgram(to: string): void {
  copyExample('python', to);
}

/** Adds a workflow (made runnable here) to the repository and commits everything. */
export function addWorkflow(repo: ActRepository, file: string, text: string, options: { standIns?: Record<string, string>; dropEnv?: string[] } = {}): string {
  const runnable = runnableWorkflow(text, {
    checkout: `cp -R '${repo.dir}/.' .`,
    cloud: { url: repo.cloudUrl },
    selfManaged: { url: repo.backendUrl, env: { PULUMI_CONFIG_PASSPHRASE: '${{ secrets.PULUMI_CONFIG_PASSPHRASE }}' } },
    artifacts: repo.artifacts,
    ...options,
  });
  const name = path.basename(file);
  fs.writeFileSync(path.join(repo.dir, '.github', 'workflows', name), runnable);
  git(repo.dir, ['add', '-A']);
  git(repo.dir, ['-c', 'user.name=act suite', '-c', 'user.email=act@example.com', 'commit', '-q', '--allow-empty', '-m', `add ${name}`]);
  return name;
}

/** An example workflow of the repository, by file name. */
export function exampleWorkflow(name: string): string {
  return fs.readFileSync(path.join(REPO, 'examples', 'workflows', name), 'utf8');
}

/** The README's first workflow (its Usage section), as a user would copy it. */
export function readmeWorkflow(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = /```yaml\n(name: [\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no workflow in a ```yaml block');
  return block[1]!;
}

export interface ActStep {
  id: string;
  name: string;
  result?: string;
  outputs: Record<string, string>;
  /** What the step printed, but workflow commands. */
  output: string;
  /** The messages of its `::error::` commands (what GitHub shows as annotations). */
  errors: string[];
}

export interface ActJob {
  /** act's name for the job run (`workflow/job-1` for a matrix entry). */
  name: string;
  id: string;
  matrix: Record<string, string>;
  result?: string;
  steps: ActStep[];
  summary: string;
}

export interface ActRun {
  code: number;
  jobs: ActJob[];
  /**
   * Everything act printed, as text: what a secret must never appear in. act's JSON log records
   * the argument of each `::add-mask::` command, which GitHub's runner never shows; those entries
   * are left out.
   */
  log: string;
}

/** The run of `jobId` whose matrix holds `matrix`; fails the test when there is none or several. */
export function jobOf(run: ActRun, jobId: string, matrix: Record<string, string> = {}): ActJob {
  const found = run.jobs.filter((j) => j.id === jobId && Object.entries(matrix).every(([k, v]) => j.matrix[k] === v));
  if (found.length !== 1) {
    throw new Error(`expected one run of job ${jobId} ${JSON.stringify(matrix)}, found ${found.length}; jobs: ${run.jobs.map((j) => `${j.name}=${j.result}`).join(', ')}\n${run.log.slice(-4000)}`);
  }
  return found[0]!;
}

/** The steps of `job` that ran the action (`uses: ./`, which act names after what it uses). */
export function actionSteps(job: ActJob): ActStep[] {
  return job.steps.filter((s) => s.name === './');
}

/** The step of `job` with this id (or, for steps without one, this name). */
export function stepOf(job: ActJob, id: string): ActStep {
  const step = job.steps.find((s) => s.id === id || s.name === id);
  if (!step) throw new Error(`job ${job.name} has no step ${id}: ${job.steps.map((s) => s.id).join(', ')}`);
  return step;
}

export interface ActOptions {
  workflow: string;
  event: string;
  payload: Record<string, unknown>;
  api: GitHubApiServer;
  /** The CA file that makes Node and the CLI trust the stand-ins' certificate. */
  caFile: string;
  /** The folder the CLI keeps its credentials and workspaces in (PULUMI_HOME), not the user's. */
  pulumiHome: string;
  token: string;
  secrets?: Record<string, string>;
  env?: Record<string, string>;
  /** Only this job (act's `--job`), for workflows whose other jobs are not the action's. */
  job?: string;
  /**
   * act's own cache server (an implementation of the protocol GitHub Enterprise Server serves)
   * keeping its caches in this folder, which runs sharing it share; without it, act serves none.
   */
  cacheServer?: string;
}

/**
 * Runs `act <event>` on one workflow of the repository and collects each job's result, steps,
 * step outputs and job summary from act's JSON log. act runs asynchronously: the API stand-in is
 * served by this process and must answer while act waits.
 */
export async function runAct(repo: ActRepository, options: ActOptions): Promise<ActRun> {
  const eventFile = path.join(path.dirname(repo.dir), `event-${Date.now()}.json`);
  fs.writeFileSync(eventFile, JSON.stringify(options.payload));
  const host = new URL(options.api.url).host;
  const secrets = { GITHUB_TOKEN: options.token, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, PULUMI_ACCESS_TOKEN: CLOUD_TOKEN, ...options.secrets };
  const args = [
    options.event,
    '--workflows',
    path.join(repo.dir, '.github', 'workflows', options.workflow),
    '--eventpath',
    eventFile,
    '--platform',
    'ubuntu-latest=-self-hosted',
    '--json',
    ...(options.cacheServer ? ['--cache-server-path', options.cacheServer, '--cache-server-addr', '127.0.0.1'] : ['--no-cache-server']),
    '--container-daemon-socket',
    '-',
    '--github-instance',
    host,
    ...Object.entries(secrets).flatMap(([name, value]) => ['--secret', `${name}=${value}`]),
    // Node (the action) and Go (the CLI) trust the stand-ins' certificate.
    '--env',
    `NODE_EXTRA_CA_CERTS=${options.caFile}`,
    '--env',
    `SSL_CERT_FILE=${options.caFile}`,
    '--env',
    `PULUMI_HOME=${options.pulumiHome}`,
    ...Object.entries(options.env ?? {}).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
    ...(options.job ? ['--job', options.job] : []),
  ];
  // Node 24 (this process's) runs `runs.using: node24`; the toolchain is already first on PATH.
  const env: NodeJS.ProcessEnv = { ...process.env, ...ACT_ENV, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` };
  for (const name of Object.keys(env)) if (name.startsWith('GITHUB_') || name.startsWith('INPUT_')) delete env[name];
  const child = spawn(ensureAct(), args, { cwd: repo.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? -1));
  });
  const shown = stdout.split('\n').filter((line) => !line.includes('"command":"add-mask"'));
  return { code, ...parseActLog(stdout), log: `${shown.join('\n')}\n${stderr}` };
}

interface LogLine {
  job?: string;
  jobID?: string;
  matrix?: Record<string, string>;
  msg?: string;
  step?: string;
  stepID?: string[];
  stepResult?: string;
  jobResult?: string;
  command?: string;
  name?: string;
  arg?: string;
  content?: string;
  raw_output?: boolean;
}

function parseActLog(text: string): { jobs: ActJob[] } {
  const jobs = new Map<string, ActJob>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    if (!entry.job || !entry.jobID) continue;
    const name = entry.job.trim();
    let job = jobs.get(name);
    if (!job) {
      job = { name, id: entry.jobID, matrix: entry.matrix ?? {}, steps: [], summary: '' };
      jobs.set(name, job);
    }
    if (entry.jobResult) job.result = entry.jobResult;
    const stepId = entry.stepID?.[0];
    if (!stepId) continue;
    let step = job.steps.find((s) => s.id === stepId);
    if (!step) {
      step = { id: stepId, name: entry.step ?? stepId, outputs: {}, output: '', errors: [] };
      job.steps.push(step);
    }
    if (entry.stepResult) step.result = entry.stepResult;
    if (entry.raw_output) step.output += entry.msg ?? '';
    if (entry.command === 'set-output' && entry.name) step.outputs[entry.name] = entry.arg ?? '';
    if (entry.command === 'error') step.errors.push(entry.arg ?? '');
    if (entry.command === 'summary') job.summary += entry.content ?? '';
  }
  return { jobs: [...jobs.values()] };
}

/** The workflow's GITHUB_TOKEN (`github.token`): an installation token, as GitHub's is. */
export const WORKFLOW_TOKEN = 'ghs_actSuiteWorkflowToken';

export interface ActSuite {
  /** GitHub's API over HTTPS at `https://127.0.0.1:PORT/api/v3`, as act addresses it. */
  api: GitHubApiServer;
  /** Pulumi Cloud over HTTPS, with CLOUD_ACCOUNT, which workflows reach as the CLI's default backend. */
  cloud: PulumiCloud;
  /** A repository (see makeRepository), removed by `close()`. */
  repository(options?: Parameters<typeof makeRepository>[1]): ActRepository;
  run(repo: ActRepository, options: Omit<ActOptions, 'api' | 'caFile' | 'token' | 'pulumiHome'>): Promise<ActRun>;
  /** Stops both stand-ins; fails when Pulumi Cloud's met a request it does not accept. */
  close(): Promise<void>;
}

/** The API stand-in and Pulumi Cloud's, with one throwaway certificate that the action and the CLI trust, and act to run against them. */
export async function startActSuite(): Promise<ActSuite> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'act-tls-'));
  const cert = throwawayCertificate(dir);
  const api = await startGitHubApi({ tokens: [{ token: WORKFLOW_TOKEN, kind: 'installation' }], tls: cert, pathPrefix: '/api/v3' });
  const cloud = await startPulumiCloud({ users: [CLOUD_ACCOUNT], tls: cert });
  const pulumiHome = path.join(dir, 'pulumi-home');
  const cloudEnv = { ...cloud.trustEnv, PULUMI_BACKEND_URL: cloud.url, PULUMI_ACCESS_TOKEN: CLOUD_TOKEN, PULUMI_HOME: pulumiHome };
  const made: string[] = [dir];
  return {
    api,
    cloud,
    repository: (options) => {
      const repo = makeRepository({ url: cloud.url, env: cloudEnv }, options);
      made.push(path.dirname(repo.dir));
      return repo;
    },
    run: (repo, options) => runAct(repo, { ...options, api, caFile: cert.certFile, token: WORKFLOW_TOKEN, pulumiHome }),
    close: async () => {
      await api.close();
      try {
        await cloud.close();
      } finally {
        for (const folder of made) fs.rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}

/** GitHub's example `pull_request` payload for `action` (opened, synchronize, closed, …). */
export function pullRequestEvent(action: string): Record<string, any> {
  return examplePayload('pull_request', (p) => p.action === action);
}

/** GitHub's example push to a branch, made a push to main (the examples deploy from main). */
export function pushToMain(): Record<string, any> {
  return { ...examplePayload('push', (p) => p.ref === 'refs/heads/master'), ref: 'refs/heads/main' };
}

/** GitHub's example `workflow_dispatch` payload, on main, with the form filled in. */
export function dispatchEvent(inputs: Record<string, string>): Record<string, any> {
  return { ...examplePayload('workflow_dispatch'), ref: 'refs/heads/main', inputs };
}

/** A job's result, with act's log when it is not the one expected (for the failure message). */
export function resultOf(run: ActRun, job: ActJob, expected = 'success'): { job: string; result?: string; log?: string } {
  return job.result === expected ? { job: job.name, result: job.result } : { job: job.name, result: job.result, log: run.log.slice(-8000) };
}

/** Every place of act's log a secret shows up in (its first characters, for the message). */
export function secretsIn(log: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => log.includes(s)).map((s) => `${s.slice(0, 3)}…`);
}

function git(cwd: string, args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
}
