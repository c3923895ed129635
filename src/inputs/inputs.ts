// Stage 1 of the pipeline: every `with:` value parsed and validated once, into one typed object.
// Bad input fails here, naming the input and the fix, before anything touches a stack.
import * as fs from 'node:fs';
import * as path from 'node:path';
import semver from 'semver';
import { commandsTaking } from '../model/commands.js';
import { isEphemeral, matchesEveryStack, productionNameMatchedBy } from '../model/ephemeral.js';
import { REQUIRED_ROLES, REQUIREMENTS, type Requirement, type RequiredRole } from '../model/pr-command.js';
import { stackConfigFolder, virtualEnvFolder } from '../workspace/project-paths.js';
import { cloudConsoleUrl } from '../workspace/console-url.js';
import { PROJECT_NAME, ProjectFileError, projectFileIn, readProjectFile } from '../model/pulumi-formats.js';
import {
  COLORS,
  COMMANDS,
  DECLARED_INPUTS,
  DEFAULT_CLOUD_URL,
  PINNED_PULUMI_VERSION,
  SELF_MANAGED_BACKEND,
  type Command,
  type CommentSettings,
  type CommonSettings,
  type ConfigEntry,
  type EngineLog,
  type GitHubContext,
  type InputName,
  type OidcLogin,
  type OperationOptions,
  type OutputExpectation,
  type ProjectFile,
  type Settings,
} from '../model/settings.js';

/** A bad input: the message names the input and what to do. */
export class InputError extends Error {
  override name = 'InputError';
}

export type GetInput = (name: InputName) => string;
type Env = Record<string, string | undefined>;

// Pulumi's own rules for names, stricter where a name would otherwise be mistaken for a flag.
const STACK_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}$/;
const ORG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
// Far more than any stack's config needs; the runner's environment cannot carry much more anyway.
const MAX_JSON_INPUT = 64 * 1024;

/** Inputs that only mean something to some commands (the records say which): giving one elsewhere is a contradiction. */
const COMMANDS_TAKING = commandsTaking();

const NAME_RULE = 'letters, digits, `-`, `_` and `.`';

/** Whether the `stack` input would accept this name: the one rule for stack names, which `detect` applies too. */
export function isStackName(name: string): boolean {
  return STACK_NAME.test(name);
}

export function parseInputs(getInput: GetInput, env: Env): Settings {
  const command = parseCommand(getInput('command'));
  checkOptionsApply(getInput, command);
  const workspace = fs.realpathSync(env.GITHUB_WORKSPACE || process.cwd());
  const workDir = parseWorkDir(getInput('work-dir') || DECLARED_INPUTS['work-dir'], workspace);
  const backendUrl = getInput('backend-url').trim() || env.PULUMI_BACKEND_URL || undefined;
  const commentMode = parseChoice('comment-mode', getInput('comment-mode') || DECLARED_INPUTS['comment-mode'], ['update', 'new', 'off'] as const);
  const commentOnPr = parseBoolean(getInput, 'comment-on-pr');
  const prNumber = parseOptionalInteger(getInput, 'pr-number', 1);
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const github = githubContext(env, event);
  const org = parseOrg(getInput, backendUrl);
  const common: CommonSettings = {
    workspace,
    workDir,
    backendUrl,
    runnerTemp: env.RUNNER_TEMP || undefined,
    secretsProvider: getInput('secrets-provider').trim() || undefined,
    installDependencies: parseBoolean(getInput, 'install-dependencies'),
    cache: parseBoolean(getInput, 'cache'),
    ephemeralStacks: parseEphemeralStacks(getInput('ephemeral-stacks')),
    pulumiVersion: parsePulumiVersion(getInput, workspace),
    lockTimeoutMs: parseDuration(getInput, 'lock-timeout'),
    jobSummary: parseBoolean(getInput, 'comment-on-summary'),
    comment: {
      mode: commentOnPr ? commentMode : 'off',
      noChanges: parseChoice('no-changes-comment', getInput('no-changes-comment') || DECLARED_INPUTS['no-changes-comment'], ['update', 'skip', 'delete'] as const),
      token: getInput('github-token').trim() || undefined,
      issueNumber: prNumber ?? github.pullRequest,
    },
    destroyApproved: env.PULUMI_DESTROY_APPROVED === 'true',
    github,
    oidcLogin: parseOidcLogin(getInput, org, backendUrl),
    cloudConsoleUrl: SELF_MANAGED_BACKEND.test(backendUrl ?? '') ? undefined : cloudConsoleUrl(backendUrl ?? DEFAULT_CLOUD_URL, env.PULUMI_CONSOLE_DOMAIN),
  };
  if (command === 'detect') return { ...common, command };

  const project = readProject(workDir);
  checkProjectInput(getInput, project, workDir);
  checkProjectPaths(project, workDir, workspace);
  if (command === 'cleanup') return { ...common, command, project, org, closedPullRequest: github.closedPullRequest ?? prNumber };
  if (command === 'install') return { ...common, command, project };

  if (command === 'comment') return parseCommentSettings(getInput, stackOptions(getInput, common, project, org), event);

  const stack = parseName('stack', required(getInput, 'stack'), STACK_NAME, NAME_RULE);
  const ephemeral = isEphemeral(stack, common.ephemeralStacks);
  if (command === 'smoke' && !ephemeral) {
    throw new InputError(`Input 'stack' is '${stack}', which does not match 'ephemeral-stacks': a smoke test destroys its stack, so list a pattern such as smoke-* there and name the stack after it.`);
  }
  return { ...stackOptions(getInput, common, project, org), command, stack, ephemeral, pullRequest: github.openPullRequest };
}

function parseOrg(getInput: GetInput, backendUrl: string | undefined): string | undefined {
  const orgInput = getInput('org').trim();
  const org = orgInput ? parseName('org', orgInput, ORG_NAME, NAME_RULE) : undefined;
  if (org && org !== 'organization' && SELF_MANAGED_BACKEND.test(backendUrl ?? '')) {
    throw new InputError(
      `Input 'org' is '${org}', but self-managed backends (file://, s3://, postgres://, …) know only the organization 'organization': leave 'org' empty or use a Pulumi Cloud backend.`,
    );
  }
  return org;
}

const OIDC_LOGIN = /^(?:(organization)|team:([A-Za-z0-9][A-Za-z0-9_.-]{0,99})|user:([A-Za-z0-9][A-Za-z0-9_.-]{0,99}))$/;

/** `oidc-login`: the kind of Pulumi token the job's ID token is exchanged for, in `org`, at the backend's token endpoint. */
function parseOidcLogin(getInput: GetInput, org: string | undefined, backendUrl: string | undefined): OidcLogin | undefined {
  const raw = getInput('oidc-login').trim();
  const expiration = getInput('oidc-expiration').trim();
  if (!raw) {
    if (expiration) throw new InputError(`Input 'oidc-expiration' is set, but 'oidc-login' is not: set 'oidc-login' too, or remove 'oidc-expiration'.`);
    return undefined;
  }
  const kind = OIDC_LOGIN.exec(raw);
  if (!kind) {
    throw new InputError(`Input 'oidc-login' is '${printable(raw)}': use organization, team:<team name> or user:<login>, the kind of Pulumi access token to ask for.`);
  }
  if (!org) {
    throw new InputError(`Input 'oidc-login' needs 'org': name the Pulumi organization whose OIDC trust policy admits this workflow (the ID token's audience is urn:pulumi:org:<org>).`);
  }
  const apiUrl = backendUrl ?? DEFAULT_CLOUD_URL;
  if (!/^https?:\/\//.test(apiUrl)) {
    throw new InputError(`Input 'oidc-login' logs in to Pulumi Cloud, but the backend is ${printable(apiUrl)}: remove 'oidc-login', or use a Pulumi Cloud backend.`);
  }
  const expirationMs = expiration ? parseDuration(getInput, 'oidc-expiration') : undefined;
  if (expirationMs === 0) throw new InputError(`Input 'oidc-expiration' is '0': give how long the Pulumi token lasts, such as 30m or 2h, or remove it for Pulumi's default.`);
  return {
    org,
    tokenType: kind[1] ? 'organization' : kind[2] ? 'team' : 'personal',
    scope: kind[2] ? `team:${kind[2]}` : kind[3] ? `user:${kind[3]}` : undefined,
    expirationSeconds: expirationMs === undefined ? undefined : expirationMs / 1000,
    apiUrl,
  };
}

/** What a stack command runs with, but for the command and the stack. */
function stackOptions(getInput: GetInput, common: CommonSettings, project: ProjectFile, org: string | undefined): CommentSettings['stackSettings'] {
  const requireApproval = getInput('require-approval').trim() || undefined;
  const { github } = common;
  if (requireApproval && (!github.repository || github.runId === undefined || !common.comment.token)) {
    throw new InputError(`Input 'require-approval' needs GITHUB_REPOSITORY, GITHUB_RUN_ID and a 'github-token' with 'actions: read': run it in a workflow job, not by hand.`);
  }
  const planInput = getInput('plan').trim();
  return {
    ...common,
    org,
    project,
    config: parseConfig(getInput('config')),
    refresh: parseBoolean(getInput, 'refresh'),
    operation: parseOperationOptions(getInput, common.workspace, common.workDir),
    requireApproval,
    planFile: planInput ? parsePlanFile(planInput, common.workspace) : undefined,
    failOnDrift: parseBoolean(getInput, 'fail-on-drift'),
    allowEphemeralState: parseBoolean(getInput, 'allow-ephemeral-state'),
    deletesNeedApproval: parseBoolean(getInput, 'deletes-need-approval'),
    smoke: { ttlMs: parseDuration(getInput, 'ttl'), expectOutputs: parseExpectOutputs(getInput('expect-outputs')) },
  };
}

/** `comment`: answers the comment of an `issue_comment` event, on GitHub, on one of the listed stacks. */
function parseCommentSettings(getInput: GetInput, stackSettings: CommentSettings['stackSettings'], event: unknown): CommentSettings {
  const { github, comment } = stackSettings;
  if (github.eventName !== 'issue_comment') {
    throw new InputError(
      `Input 'command' is 'comment', which answers pull request comments: run it in a workflow on 'issue_comment' events (this run is for '${printable(github.eventName ?? 'no event')}').`,
    );
  }
  if (!github.repository || !comment.token) {
    throw new InputError(`Input 'command' is 'comment', which needs GITHUB_REPOSITORY and a 'github-token' with 'pull-requests: write': run it in a workflow job.`);
  }
  const stacks = splitList(required(getInput, 'stack')).map((stack) => parseName('stack', stack, STACK_NAME, NAME_RULE));
  const prCommand = {
    requiredRole: parseRequiredRole(getInput('pr-command-permission')),
    requirements: parseRequirements(getInput('pr-command-requirements')),
    staleApprovals: parseBoolean(getInput, 'pr-command-stale-approvals'),
    allowForks: parseBoolean(getInput, 'pr-command-allow-forks'),
  };
  return { ...stackSettings, command: 'comment', stacks, prCommand, event, stackSettings };
}

/** `pr-command-permission`: `write` (the default), `maintain` or `admin`. */
export function parseRequiredRole(raw: string): RequiredRole {
  return parseChoice('pr-command-permission', raw.trim() || DECLARED_INPUTS['pr-command-permission'], REQUIRED_ROLES);
}

/**
 * `pr-command-requirements`: a comma- or newline-separated list of `approved` and `mergeable`
 * (default `approved`), or `none`, for what `up` and `refresh` need beyond an open pull request.
 */
export function parseRequirements(raw: string): Requirement[] {
  const items = [...new Set(splitList(raw.trim() || DECLARED_INPUTS['pr-command-requirements']))];
  if (items.length === 1 && items[0] === 'none') return [];
  const unknown = items.find((item) => !(REQUIREMENTS as readonly string[]).includes(item));
  if (unknown !== undefined) {
    throw new InputError(
      `Input 'pr-command-requirements' has '${unknown}': list ${REQUIREMENTS.join(' and ')} (comma-separated), or write none alone for no requirements beyond an open pull request.`,
    );
  }
  return items as Requirement[];
}

/** `work-dir`'s `Pulumi.yaml`; a file the action cannot use is a bad `work-dir`, with the file's own message. */
function readProject(workDir: string): ProjectFile {
  try {
    return readProjectFile(workDir);
  } catch (err) {
    throw err instanceof ProjectFileError ? new InputError(err.message) : err;
  }
}

/**
 * An input given to a command it does not apply to is a mistake worth stopping for, not ignoring.
 * Only a value other than the declared default counts as given: the runner passes the default of
 * every input to every run, and a workflow that writes the default itself asks for nothing else.
 */
function checkOptionsApply(getInput: GetInput, command: Command): void {
  for (const [option, commands] of COMMANDS_TAKING) {
    const value = getInput(option).trim();
    if (value && value !== DECLARED_INPUTS[option] && !commands.includes(command)) {
      throw new InputError(`Input '${option}' does not apply to command '${command}': remove it, or use it with ${commands.join(', ')}.`);
    }
  }
}

function checkProjectInput(getInput: GetInput, project: ProjectFile, workDir: string): void {
  const projectInput = getInput('project').trim();
  if (!projectInput) return;
  parseName('project', projectInput, PROJECT_NAME, NAME_RULE);
  if (projectInput !== project.name) {
    throw new InputError(`Input 'project' is '${projectInput}' but ${path.join(workDir, 'Pulumi.yaml')} names the project '${project.name}': fix one of them, or leave 'project' empty.`);
  }
}

const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const DURATION_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function parseDuration(getInput: GetInput, name: 'ttl' | 'lock-timeout' | 'oidc-expiration'): number {
  const value = getInput(name).trim() || DECLARED_INPUTS[name];
  const match = DURATION.exec(value);
  if (value === '0') return 0;
  if (!match) throw new InputError(`Input '${name}' is '${printable(value)}': use a number with a unit, such as 90s, 5m, 24h or 7d.`);
  return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
}

/** `expect-outputs`: a JSON object of output name to an exact value, or to "/regex/flags". */
export function parseExpectOutputs(raw: string): OutputExpectation[] {
  const parsed = parseJsonObject('expect-outputs', raw, '{"url": "/^https:\\/\\//", "count": 3}');
  return Object.entries(parsed).map(([key, value]) => {
    const pattern = typeof value === 'string' ? /^\/(.*)\/([dgimsuvy]*)$/s.exec(value) : null;
    if (!pattern) return { key, equals: value };
    try {
      return { key, matches: new RegExp(pattern[1]!, pattern[2]!.replace('g', '')) };
    } catch (err) {
      throw new InputError(`Input 'expect-outputs' key '${printable(key)}' has an invalid pattern (${(err as Error).message}): fix the regular expression.`);
    }
  });
}

function required(getInput: GetInput, name: InputName): string {
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
    throw new InputError(`Input '${name}' is '${printable(value)}': give the short name only; set the organization with 'org' and the project in Pulumi.yaml.`);
  }
  if (!pattern.test(value)) {
    throw new InputError(`Input '${name}' is '${printable(value)}': use only ${allowed}, not starting with '-', at most 100 characters.`);
  }
  return value;
}

/** Shows a hostile value safely in a one-line message. */
export function printable(value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return shown.slice(1, -1);
}

/** A boolean input; empty means its declared default. */
function parseBoolean(getInput: GetInput, name: InputName): boolean {
  const value = getInput(name).trim() || DECLARED_INPUTS[name];
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`Input '${name}' is '${printable(value)}': use true or false.`);
}

function parseOptionalInteger(getInput: GetInput, name: InputName, min: number): number | undefined {
  const value = getInput(name).trim();
  if (value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new InputError(`Input '${name}' is '${printable(value)}': use a whole number of at least ${min}.`);
  }
  return Number(value);
}

function parseEphemeralStacks(raw: string): string[] {
  const patterns = splitList(raw);
  const catchAll = patterns.find(matchesEveryStack);
  if (catchAll !== undefined) {
    throw new InputError(`Input 'ephemeral-stacks' has '${printable(catchAll)}', which matches every stack name, production's too: list patterns that pin part of the name, such as pr-* or smoke-*.`);
  }
  for (const pattern of patterns) {
    const production = productionNameMatchedBy(pattern);
    if (production !== undefined) {
      throw new InputError(
        `Input 'ephemeral-stacks' has '${printable(pattern)}', which matches the stack name '${production}', a usual name for production, whose destroy it would let run without approval: pin more of the name, such as pr-* or smoke-*.`,
      );
    }
  }
  return patterns;
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

/**
 * `pulumi-version`, or the one version `pulumi-version-file` holds (`.pulumi-version` style, a
 * leading `v` allowed). Both at once would leave the reader to guess which wins: an error.
 */
function parsePulumiVersion(getInput: GetInput, workspace: string): string {
  const given = getInput('pulumi-version').trim();
  const fileInput = getInput('pulumi-version-file').trim();
  if (!fileInput) return parseVersionRange(given || PINNED_PULUMI_VERSION);
  if (given && given !== DECLARED_INPUTS['pulumi-version']) {
    throw new InputError(`Inputs 'pulumi-version' and 'pulumi-version-file' both name the Pulumi CLI's version: keep one of them.`);
  }
  const file = parseWorkspaceFile('pulumi-version-file', fileInput, workspace, workspace);
  const text = fs.readFileSync(file, 'utf8').trim();
  const version = semver.valid(text.replace(/^v/, ''));
  if (!version) {
    throw new InputError(
      `Input 'pulumi-version-file' names ${file}, which holds '${printable(text)}' rather than one version: write a version such as 3.274.1 (a leading v is fine) and nothing else.`,
    );
  }
  return version;
}

function parseOperationOptions(getInput: GetInput, workspace: string, workDir: string): OperationOptions {
  const message = getInput('message').trim();
  const target = splitList(getInput('target'));
  const exclude = splitList(getInput('exclude'));
  const policyPacks = splitList(getInput('policy-packs'));
  const options: OperationOptions = {
    expectNoChanges: parseBoolean(getInput, 'expect-no-changes'),
    target,
    replace: splitList(getInput('replace')),
    parallel: parseOptionalInteger(getInput, 'parallel', 1),
    message: message || undefined,
    diff: parseBoolean(getInput, 'diff'),
    policyPacks,
    policyPackConfigs: parsePolicyPackConfigs(getInput('policy-pack-configs'), policyPacks, workspace, workDir),
    exclude,
    excludeDependents: parseBoolean(getInput, 'exclude-dependents'),
    targetDependents: parseBoolean(getInput, 'target-dependents'),
    continueOnError: parseBoolean(getInput, 'continue-on-error'),
    excludeProtected: parseBoolean(getInput, 'exclude-protected'),
    remove: parseBoolean(getInput, 'remove'),
    suppressOutputs: parseBoolean(getInput, 'suppress-outputs'),
    suppressProgress: parseBoolean(getInput, 'suppress-progress'),
    log: parseEngineLog(getInput),
  };
  checkResourceSelection(options);
  return options;
}

/** The combinations of `target` and `exclude` the CLI refuses, or would silently do nothing with. */
function checkResourceSelection(options: OperationOptions): void {
  if (options.target.length > 0 && options.exclude.length > 0) {
    throw new InputError(`Inputs 'target' and 'exclude' cannot be used together (the Pulumi CLI takes one or the other): list what to cover in 'target', or what to leave out in 'exclude'.`);
  }
  if (options.target.length > 0 && options.excludeProtected) {
    throw new InputError(`Input 'exclude-protected' cannot be used with 'target' (the Pulumi CLI refuses the pair): remove one of them.`);
  }
  if (options.targetDependents && options.target.length === 0) {
    throw new InputError(`Input 'target-dependents' needs 'target': list the resources whose dependents to include, or remove 'target-dependents'.`);
  }
  if (options.excludeDependents && options.exclude.length === 0 && !options.excludeProtected) {
    throw new InputError(`Input 'exclude-dependents' needs 'exclude' (or, for destroy, 'exclude-protected'): list the resources whose dependents to leave out, or remove 'exclude-dependents'.`);
  }
}

const MAX_LOG_VERBOSITY = 11;

function parseEngineLog(getInput: GetInput): EngineLog {
  const rawVerbosity = getInput('log-verbosity').trim();
  const verbosity = rawVerbosity === '' ? undefined : Number(rawVerbosity);
  if (verbosity !== undefined && (!/^\d+$/.test(rawVerbosity) || verbosity < 1 || verbosity > MAX_LOG_VERBOSITY)) {
    throw new InputError(`Input 'log-verbosity' is '${printable(rawVerbosity)}': use a whole number from 1 to ${MAX_LOG_VERBOSITY} (above 3 is very verbose).`);
  }
  const flow = parseBoolean(getInput, 'log-flow');
  if (flow && verbosity === undefined) {
    throw new InputError(`Input 'log-flow' passes 'log-verbosity' on to plugins, and 'log-verbosity' is not set: set it too, or remove 'log-flow'.`);
  }
  return {
    color: parseChoice('color', getInput('color') || DECLARED_INPUTS.color, COLORS),
    verbosity,
    flow,
    debug: parseBoolean(getInput, 'debug'),
  };
}

/**
 * `policy-pack-configs`: one file per policy pack, paired by position. They are relative to
 * `work-dir`, where the CLI finds the policy packs themselves, and confined to the workspace.
 */
function parsePolicyPackConfigs(raw: string, policyPacks: readonly string[], workspace: string, workDir: string): string[] {
  const files = splitList(raw);
  if (files.length > 0 && files.length !== policyPacks.length) {
    throw new InputError(`Input 'policy-pack-configs' lists ${files.length} file(s) but 'policy-packs' lists ${policyPacks.length} pack(s): give one config file per policy pack, in the same order.`);
  }
  return files.map((file) => parseWorkspaceFile('policy-pack-configs', file, workDir, workspace));
}

/** `root` is the workspace's real path. */
function parseWorkDir(raw: string, root: string): string {
  const candidate = path.resolve(root, raw.trim());
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new InputError(`Input 'work-dir' is '${printable(raw)}', which does not exist in the workspace: check out the repository first, or fix the path.`);
  }
  if (!isInside(root, real)) {
    throw new InputError(`Input 'work-dir' is '${printable(raw)}', which leads outside the workspace ${root}: use a folder inside the repository.`);
  }
  if (!fs.statSync(real).isDirectory()) {
    throw new InputError(`Input 'work-dir' is '${printable(raw)}', which is not a folder: name the folder that holds Pulumi.yaml.`);
  }
  return real;
}

/**
 * `plan`: a file the preview writes and the update reads, so confined to the workspace as
 * `work-dir` is: its folder's real path (and the file's, where it exists already, a symlink say).
 */
function parsePlanFile(raw: string, root: string): string {
  const candidate = path.resolve(root, raw);
  let folder: string;
  try {
    folder = fs.realpathSync(path.dirname(candidate));
  } catch {
    throw new InputError(`Input 'plan' is '${printable(raw)}', whose folder does not exist in the workspace: name a file in an existing folder of the repository.`);
  }
  // A symlink, dangling or not, is where the CLI would write: its target must be inside too.
  const file = fs.lstatSync(candidate, { throwIfNoEntry: false }) ? realPathOrUndefined(candidate) : path.join(folder, path.basename(candidate));
  if (!isInside(root, folder) || file === undefined || !isInside(root, file)) {
    throw new InputError(`Input 'plan' is '${printable(raw)}', which leads outside the workspace ${root}: name a file inside the repository, such as plan.json.`);
  }
  return file;
}

/** A file the CLI or the action reads: it must exist, and its real path lie inside the workspace `root`; relative to `base`. */
function parseWorkspaceFile(name: InputName, raw: string, base: string, root: string): string {
  const real = realPathOrUndefined(path.resolve(base, raw));
  if (real === undefined) {
    throw new InputError(`Input '${name}' names '${printable(raw)}', which does not exist in the workspace: check out the repository first, or fix the path.`);
  }
  if (!isInside(root, real)) {
    throw new InputError(`Input '${name}' names '${printable(raw)}', which leads outside the workspace ${root}: name a file inside the repository.`);
  }
  if (!fs.statSync(real).isFile()) {
    throw new InputError(`Input '${name}' names '${printable(raw)}', which is not a file: name the file itself.`);
  }
  return real;
}

function realPathOrUndefined(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Paths the checkout itself names, where the CLI, the language host and the action write: the
 * stacks' settings folder (`stackConfigDir`), each stack's settings file in it (the action's config
 * editor and the CLI write through a symlink), and the Python virtual environment the action
 * prepares and the language host runs. Each must lead, by its real path, inside the workspace
 * `root`, as `work-dir` must; a path through a dangling symlink leads nowhere anyone can check.
 */
export function checkProjectPaths(project: ProjectFile, workDir: string, root: string): void {
  const file = projectFileIn(workDir) ?? path.join(workDir, 'Pulumi.yaml');
  const stackFolder = stackConfigFolder(workDir, project);
  const realFolder = realLocation(stackFolder);
  if (realFolder === undefined || !isInside(root, realFolder)) {
    throw new InputError(
      `${file} sets stackConfigDir to '${printable(project.stackConfigDir ?? '.')}', which leads outside the workspace ${root}: keep the stacks' settings files in a folder inside the repository.`,
    );
  }
  for (const name of fs.existsSync(realFolder) ? fs.readdirSync(realFolder) : []) {
    const stackFile = path.join(stackFolder, name);
    // In a folder inside the workspace only a symlink leads out of it.
    if (!STACK_SETTINGS_FILE.test(name) || !fs.lstatSync(stackFile).isSymbolicLink()) continue;
    const real = realPathOrUndefined(stackFile);
    if (real === undefined || !isInside(root, real)) {
      throw new InputError(
        `${path.join(stackFolder, printable(name))} is a symlink to ${printable(fs.readlinkSync(stackFile))}, which leads outside the workspace ${root}: commit the stack's settings file itself in the repository, not a link to one.`,
      );
    }
  }
  if (project.runtime !== 'python') return;
  const venv = virtualEnvFolder(workDir, project);
  const realVenv = realLocation(venv);
  if (realVenv !== undefined && isInside(root, realVenv)) return;
  const option = project.runtimeOptions.virtualenv;
  throw new InputError(
    typeof option === 'string'
      ? `${file} sets runtime.options.virtualenv to '${printable(option)}', which leads outside the workspace ${root}: name a folder inside the repository, such as venv.`
      : `${venv}, the virtual environment's folder while ${file} sets no runtime.options.virtualenv, leads outside the workspace ${root}: remove that link, or set runtime.options.virtualenv to a folder inside the repository.`,
  );
}

/** `Pulumi.<stack>.yaml` or `.yml`, as the CLI names a stack's settings file. */
const STACK_SETTINGS_FILE = /^Pulumi\..+\.ya?ml$/;

/**
 * Where a path leads once every symlink on it is followed, for a path that need not exist yet: the
 * real path of its nearest existing ancestor with the rest appended. Undefined through a dangling
 * symlink, whose target a write would create wherever it points.
 */
export function realLocation(candidate: string): string | undefined {
  const rest: string[] = [];
  for (let at = path.resolve(candidate); ; at = path.dirname(at)) {
    let exists: boolean;
    try {
      exists = fs.lstatSync(at, { throwIfNoEntry: false }) !== undefined;
    } catch {
      exists = false; // a file where a folder is named: the write would fail, wherever it was
    }
    if (exists) {
      const real = realPathOrUndefined(at);
      return real === undefined ? undefined : path.join(real, ...rest);
    }
    rest.unshift(path.basename(at));
  }
}

/** `real` is `root` or below it; a folder named like `..x` is below it. */
function isInside(root: string, real: string): boolean {
  const relative = path.relative(root, real);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Parses the `config` input: a JSON object of key to scalar, or to `{value, secret?, path?}`. */
export function parseConfig(raw: string): ConfigEntry[] {
  return Object.entries(parseJsonObject('config', raw, '{"region": "eu-west-1"}')).map(([key, value]) => configEntry(key, value));
}

function parseJsonObject(name: string, raw: string, example: string): Record<string, unknown> {
  const text = raw.trim();
  if (!text) return {};
  if (text.length > MAX_JSON_INPUT) {
    throw new InputError(`Input '${name}' is ${text.length} characters long: keep it under 64 KiB, and put large values in files the program reads.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8's message quotes a slice of the text, which may hold a secret not yet masked: only where.
    const where = /line (\d+) column (\d+)/.exec((err as Error).message);
    const at = where ? ` at line ${where[1]}, column ${where[2]}` : '';
    throw new InputError(`Input '${name}' is not valid JSON${at}: give a JSON object such as ${example}.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(`Input '${name}' must be a JSON object such as ${example}, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}.`);
  }
  return parsed as Record<string, unknown>;
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

function githubContext(env: Env, event: unknown): GitHubContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const pullRequest = pullRequestOfEvent(event);
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository: owner && repo ? { owner, repo } : undefined,
    eventName: env.GITHUB_EVENT_NAME,
    runUrl: env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    pullRequest: pullRequest.number,
    closedPullRequest: pullRequest.closed ? pullRequest.number : undefined,
    openPullRequest: pullRequest.open && pullRequest.number !== undefined ? { number: pullRequest.number, headSha: pullRequest.headSha } : undefined,
    runId: /^\d+$/.test(env.GITHUB_RUN_ID ?? '') ? Number(env.GITHUB_RUN_ID) : undefined,
    actor: env.GITHUB_ACTOR || undefined,
    triggeringActor: env.GITHUB_TRIGGERING_ACTOR || undefined,
    sha: env.GITHUB_SHA || undefined,
  };
}

/** The payload of the event that started the run (GITHUB_EVENT_PATH), if there is a readable one. */
function readEvent(eventPath: string | undefined): unknown {
  if (!eventPath || !fs.existsSync(eventPath)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(eventPath, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * `pull_request` and `pull_request_target` payloads (and the review events') carry the pull request:
 * its number, what happened to it, whether it is open, and its head.
 */
function pullRequestOfEvent(event: unknown): { number?: number; closed: boolean; open: boolean; headSha?: string } {
  const { action, pull_request: pull } = (event ?? {}) as { action?: unknown; pull_request?: { number?: unknown; state?: unknown; head?: { sha?: unknown } } };
  const number = pull?.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) return { closed: false, open: false };
  const sha = pull?.head?.sha;
  return { number, closed: action === 'closed', open: pull?.state === 'open' && action !== 'closed', ...(typeof sha === 'string' && /^[0-9a-f]{40}$/i.test(sha) ? { headSha: sha } : {}) };
}
