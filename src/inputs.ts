// Stage 1 of the pipeline: every `with:` value parsed and validated once, into one typed object.
// Bad input fails here, naming the input and the fix, before anything touches a stack.
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import semver from 'semver';

export const COMMANDS = ['preview', 'up', 'refresh', 'destroy', 'output'] as const;
export type Command = (typeof COMMANDS)[number];
export type CommentMode = 'update' | 'new' | 'off';

/** The CLI version the action is tested with; `pulumi-version` defaults to it. */
export const PINNED_PULUMI_VERSION = '3.274.1';

export interface ConfigEntry {
  key: string;
  value: string;
  secret: boolean;
  /** The key is a property path (`a.b[0]`), as `pulumi config set --path`. */
  path: boolean;
}

export type Runtime = 'python' | 'nodejs' | (string & {});

export interface ProjectFile {
  name: string;
  runtime: Runtime;
  /** `runtime.options` from Pulumi.yaml, as written. */
  runtimeOptions: Record<string, unknown>;
}

export interface OperationOptions {
  expectNoChanges: boolean;
  target: string[];
  replace: string[];
  parallel?: number;
  message?: string;
  diff: boolean;
  policyPacks: string[];
}

export interface Settings {
  command: Command;
  stack: string;
  org?: string;
  project: ProjectFile;
  /** Absolute path of the folder holding Pulumi.yaml. */
  workDir: string;
  config: ConfigEntry[];
  backendUrl?: string;
  secretsProvider?: string;
  refresh: boolean;
  installDependencies: boolean;
  ephemeralStacks: string[];
  operation: OperationOptions;
  pulumiVersion: string;
  /** Where the PR comment goes; no issue number means no comment. */
  comment: { mode: CommentMode; token?: string; issueNumber?: number };
  /** `PULUMI_DESTROY_APPROVED` is exactly `true`. */
  destroyApproved: boolean;
  github: GitHubContext;
}

export interface GitHubContext {
  apiUrl: string;
  repository?: { owner: string; repo: string };
  eventName?: string;
  runUrl?: string;
  /** The pull request the event is about, if any. */
  pullRequest?: number;
}

/** A bad input: the message names the input and what to do. */
export class InputError extends Error {
  override name = 'InputError';
}

export type GetInput = (name: string) => string;
type Env = Record<string, string | undefined>;

// Pulumi's own rules for names, stricter where a name would otherwise be mistaken for a flag.
const STACK_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}$/;
const ORG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const PROJECT_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}$/;
// Far more than any stack's config needs; the runner's environment cannot carry much more anyway.
const MAX_CONFIG_JSON = 64 * 1024;
const SELF_MANAGED_BACKEND = /^(file|s3|gs|azblob|postgres):\/\//;

/** Inputs that only mean something to some commands: naming one elsewhere is a contradiction. */
const OPTION_COMMANDS: Record<string, readonly Command[]> = {
  'expect-no-changes': ['preview', 'up', 'refresh'],
  target: ['preview', 'up', 'refresh', 'destroy'],
  replace: ['preview', 'up'],
  parallel: ['preview', 'up', 'refresh', 'destroy'],
  message: ['preview', 'up', 'refresh', 'destroy'],
  diff: ['preview', 'up', 'destroy'],
  'policy-packs': ['preview', 'up'],
};

export function parseInputs(getInput: GetInput, env: Env): Settings {
  const command = parseCommand(getInput('command'));
  const stack = parseName('stack', required(getInput, 'stack'), STACK_NAME, 'letters, digits, `-`, `_` and `.`');
  const orgInput = getInput('org').trim();
  const org = orgInput ? parseName('org', orgInput, ORG_NAME, 'letters, digits, `-`, `_` and `.`') : undefined;
  const workDir = parseWorkDir(getInput('work-dir') || '.', env.GITHUB_WORKSPACE || process.cwd());
  const project = readProjectFile(workDir);
  const projectInput = getInput('project').trim();
  if (projectInput) {
    parseName('project', projectInput, PROJECT_NAME, 'letters, digits, `-`, `_` and `.`');
    if (projectInput !== project.name) {
      throw new InputError(
        `Input 'project' is '${projectInput}' but ${path.join(workDir, 'Pulumi.yaml')} names the project '${project.name}': fix one of them, or leave 'project' empty.`,
      );
    }
  }
  const backendUrl = getInput('backend-url').trim() || undefined;
  if (org && org !== 'organization' && SELF_MANAGED_BACKEND.test(backendUrl ?? env.PULUMI_BACKEND_URL ?? '')) {
    throw new InputError(
      `Input 'org' is '${org}', but self-managed backends (file://, s3://, postgres://, …) know only the organization 'organization': leave 'org' empty or use a Pulumi Cloud backend.`,
    );
  }
  const operation = parseOperationOptions(getInput, command);
  const commentMode = parseChoice('comment-mode', getInput('comment-mode') || 'update', ['update', 'new', 'off'] as const);
  const commentOnPr = parseBoolean(getInput, 'comment-on-pr', true);
  const prNumber = parseOptionalInteger(getInput, 'pr-number', 1);
  const github = githubContext(env);

  return {
    command,
    stack,
    org,
    project,
    workDir,
    config: parseConfig(getInput('config')),
    backendUrl,
    secretsProvider: getInput('secrets-provider').trim() || undefined,
    refresh: parseBoolean(getInput, 'refresh', false),
    installDependencies: parseBoolean(getInput, 'install-dependencies', true),
    ephemeralStacks: splitList(getInput('ephemeral-stacks')),
    operation,
    pulumiVersion: parseVersionRange(getInput('pulumi-version') || PINNED_PULUMI_VERSION),
    comment: {
      mode: commentOnPr ? commentMode : 'off',
      token: getInput('github-token').trim() || undefined,
      issueNumber: prNumber ?? github.pullRequest,
    },
    destroyApproved: env.PULUMI_DESTROY_APPROVED === 'true',
    github,
  };
}

function required(getInput: GetInput, name: string): string {
  const value = getInput(name).trim();
  if (!value) throw new InputError(`Input '${name}' is required: set it in the step's 'with:' block.`);
  return value;
}

function parseCommand(raw: string): Command {
  const value = raw.trim();
  if (!value) throw new InputError(`Input 'command' is required: one of ${COMMANDS.join(', ')}.`);
  return parseChoice('command', value, COMMANDS);
}

function parseChoice<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  const value = raw.trim();
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`Input '${name}' is '${printable(value)}': use one of ${choices.join(', ')}.`);
}

function parseName(name: string, value: string, pattern: RegExp, allowed: string): string {
  if (value.includes('/')) {
    throw new InputError(
      `Input '${name}' is '${printable(value)}': give the short name only; set the organization with 'org' and the project in Pulumi.yaml.`,
    );
  }
  if (!pattern.test(value)) {
    throw new InputError(
      `Input '${name}' is '${printable(value)}': use only ${allowed}, not starting with '-', at most 100 characters.`,
    );
  }
  return value;
}

/** Shows a hostile value safely in a one-line message. */
function printable(value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return shown.slice(1, -1);
}

function parseBoolean(getInput: GetInput, name: string, fallback: boolean): boolean {
  const value = getInput(name).trim();
  if (value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`Input '${name}' is '${printable(value)}': use true or false.`);
}

function parseOptionalInteger(getInput: GetInput, name: string, min: number): number | undefined {
  const value = getInput(name).trim();
  if (value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new InputError(`Input '${name}' is '${printable(value)}': use a whole number of at least ${min}.`);
  }
  return Number(value);
}

function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function parseVersionRange(raw: string): string {
  const value = raw.trim();
  if (!semver.validRange(value)) {
    throw new InputError(`Input 'pulumi-version' is '${printable(value)}': use a version or a semver range such as ^3.274.1.`);
  }
  return value;
}

function parseOperationOptions(getInput: GetInput, command: Command): OperationOptions {
  for (const [option, commands] of Object.entries(OPTION_COMMANDS)) {
    const value = getInput(option).trim();
    if (value && value !== 'false' && !commands.includes(command)) {
      throw new InputError(
        `Input '${option}' does not apply to command '${command}': remove it, or use it with ${commands.join(', ')}.`,
      );
    }
  }
  const message = getInput('message').trim();
  return {
    expectNoChanges: parseBoolean(getInput, 'expect-no-changes', false),
    target: splitList(getInput('target')),
    replace: splitList(getInput('replace')),
    parallel: parseOptionalInteger(getInput, 'parallel', 1),
    message: message || undefined,
    diff: parseBoolean(getInput, 'diff', false),
    policyPacks: splitList(getInput('policy-packs')),
  };
}

function parseWorkDir(raw: string, workspace: string): string {
  const root = fs.realpathSync(workspace);
  const candidate = path.resolve(root, raw.trim());
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new InputError(`Input 'work-dir' is '${printable(raw)}', which does not exist in the workspace: check out the repository first, or fix the path.`);
  }
  const relative = path.relative(root, real);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new InputError(`Input 'work-dir' is '${printable(raw)}', which leads outside the workspace ${root}: use a folder inside the repository.`);
  }
  if (!fs.statSync(real).isDirectory()) {
    throw new InputError(`Input 'work-dir' is '${printable(raw)}', which is not a folder: name the folder that holds Pulumi.yaml.`);
  }
  return real;
}

export function readProjectFile(workDir: string): ProjectFile {
  const file = ['Pulumi.yaml', 'Pulumi.yml'].map((name) => path.join(workDir, name)).find((f) => fs.existsSync(f));
  if (!file) {
    throw new InputError(`Input 'work-dir' points to ${workDir}, which has no Pulumi.yaml: name the folder of your Pulumi project.`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file} is not valid YAML (${(err as Error).message.split('\n')[0]}): fix the project file.`);
  }
  const project = doc as { name?: unknown; runtime?: unknown } | null;
  if (!project || typeof project !== 'object' || typeof project.name !== 'string' || !PROJECT_NAME.test(project.name)) {
    throw new InputError(`${file} has no valid 'name': give the project a name of letters, digits, '-', '_' and '.'.`);
  }
  const runtime = project.runtime;
  const runtimeName = typeof runtime === 'string' ? runtime : (runtime as { name?: unknown } | undefined)?.name;
  if (typeof runtimeName !== 'string') {
    throw new InputError(`${file} has no 'runtime': set it to python, nodejs or another Pulumi runtime.`);
  }
  const options = typeof runtime === 'object' && runtime ? (runtime as { options?: unknown }).options : undefined;
  return {
    name: project.name,
    runtime: runtimeName,
    runtimeOptions: options && typeof options === 'object' ? (options as Record<string, unknown>) : {},
  };
}

/** Parses the `config` input: a JSON object of key to scalar, or to `{value, secret?, path?}`. */
export function parseConfig(raw: string): ConfigEntry[] {
  const text = raw.trim();
  if (!text) return [];
  if (text.length > MAX_CONFIG_JSON) {
    throw new InputError(`Input 'config' is ${text.length} characters long: keep it under 64 KiB, and put large values in files the program reads.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(`Input 'config' is not valid JSON (${(err as Error).message}): give a JSON object such as {"region": "eu-west-1"}.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(`Input 'config' must be a JSON object such as {"region": "eu-west-1"}, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}.`);
  }
  return Object.entries(parsed as Record<string, unknown>).map(([key, value]) => configEntry(key, value));
}

function configEntry(key: string, value: unknown): ConfigEntry {
  if (!key.trim() || /[\u0000-\u001f]/.test(key) || key.length > 256) {
    throw new InputError(`Input 'config' has the key '${printable(key)}': use a non-empty key without control characters, such as "region" or "aws:region".`);
  }
  if (isScalar(value)) return { key, value: String(value), secret: false, path: false };
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in value) {
    const { value: inner, secret = false, path: isPath = false, ...rest } = value as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw new InputError(`Input 'config' key '${printable(key)}' has unknown field '${printable(extra[0]!)}': only value, secret and path are allowed.`);
    }
    if (!isScalar(inner) || typeof secret !== 'boolean' || typeof isPath !== 'boolean') {
      throw new InputError(`Input 'config' key '${printable(key)}' must look like {"value": "text", "secret": true, "path": false}: value a string, number or boolean, secret and path booleans.`);
    }
    return { key, value: String(inner), secret, path: isPath };
  }
  throw new InputError(
    `Input 'config' key '${printable(key)}' has a ${Array.isArray(value) ? 'list' : value === null ? 'null' : 'nested object'} value: use a string, number or boolean, or {"value": …, "path": true} with a key like "a.b[0]" for structured config.`,
  );
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function githubContext(env: Env): GitHubContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository: owner && repo ? { owner, repo } : undefined,
    eventName: env.GITHUB_EVENT_NAME,
    runUrl: env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    pullRequest: pullRequestOfEvent(env.GITHUB_EVENT_PATH),
  };
}

/** `pull_request` and `pull_request_target` payloads carry the number; other events name none. */
function pullRequestOfEvent(eventPath: string | undefined): number | undefined {
  if (!eventPath || !fs.existsSync(eventPath)) return undefined;
  try {
    const number = JSON.parse(fs.readFileSync(eventPath, 'utf8'))?.pull_request?.number;
    return Number.isSafeInteger(number) ? number : undefined;
  } catch {
    return undefined;
  }
}
