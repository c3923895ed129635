// What the action is given: the inputs action.yml declares, and the typed settings the inputs stage
// makes of them. Types and constants only, so every stage can depend on it; it takes only the
// vocabulary of pull-request commands (pr-command.ts), also of model/.
import type { Requirement, RequiredRole } from './pr-command.js';

/** Commands that act on one stack. */
export const STACK_COMMANDS = ['preview', 'up', 'refresh', 'destroy', 'output', 'smoke', 'drift'] as const;
export const COMMANDS = [...STACK_COMMANDS, 'cleanup', 'detect', 'comment', 'install'] as const;
export type StackCommand = (typeof STACK_COMMANDS)[number];
export type Command = (typeof COMMANDS)[number];
export type CommentMode = 'update' | 'new' | 'off';
/** What becomes of the PR comment when the run found nothing to change: see `no-changes-comment`. */
export type NoChangesComment = 'update' | 'skip' | 'delete';
/** The CLI's own `--color` choices. */
export const COLORS = ['always', 'never', 'raw', 'auto'] as const;
export type Color = (typeof COLORS)[number];

/**
 * Every input `action.yml` declares, with the default it declares (empty where it has none); a unit
 * test keeps the two equal. A runner passes each of them to every run, the default where the
 * workflow gives no value, so a value equal to its default is never taken as the user's choice.
 */
export const DECLARED_INPUTS = {
  command: '',
  stack: '',
  org: '',
  project: '',
  'work-dir': '.',
  config: '',
  'backend-url': '',
  'secrets-provider': '',
  refresh: 'false',
  'install-dependencies': 'true',
  cache: 'true',
  'ephemeral-stacks': '',
  'expect-no-changes': 'false',
  target: '',
  replace: '',
  parallel: '',
  message: '',
  diff: 'false',
  'policy-packs': '',
  'pulumi-version': '3.274.1',
  'comment-on-pr': 'true',
  'comment-mode': 'update',
  'no-changes-comment': 'update',
  'github-token': '${{ github.token }}',
  'pr-number': '',
  ttl: '24h',
  'expect-outputs': '',
  'require-approval': '',
  plan: '',
  'fail-on-drift': 'false',
  'lock-timeout': '5m',
  'allow-ephemeral-state': 'false',
  'deletes-need-approval': 'false',
  'pr-command-permission': 'write',
  'pr-command-requirements': 'approved',
  'pr-command-stale-approvals': 'false',
  'pr-command-allow-forks': 'false',
  exclude: '',
  'exclude-dependents': 'false',
  'target-dependents': 'false',
  'continue-on-error': 'false',
  'exclude-protected': 'false',
  remove: 'false',
  'suppress-outputs': 'false',
  'suppress-progress': 'false',
  'policy-pack-configs': '',
  'pulumi-version-file': '',
  color: 'never',
  'log-verbosity': '',
  'log-flow': 'false',
  debug: 'false',
  'comment-on-summary': 'true',
  'oidc-login': '',
  'oidc-expiration': '',
} as const;
export type InputName = keyof typeof DECLARED_INPUTS;

/** The CLI version the action is tested with; `pulumi-version` defaults to it. */
export const PINNED_PULUMI_VERSION = DECLARED_INPUTS['pulumi-version'];

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
  /** Where the stacks' settings files are, relative to the project's folder (`stackConfigDir`). */
  stackConfigDir?: string;
}

export interface OperationOptions {
  expectNoChanges: boolean;
  target: string[];
  replace: string[];
  parallel?: number;
  message?: string;
  diff: boolean;
  policyPacks: string[];
  /** Absolute paths, one per policy pack, in the order of `policyPacks` (or none). */
  policyPackConfigs: string[];
  /** URNs (globs as the CLI takes them) left out; never together with `target`. */
  exclude: string[];
  excludeDependents: boolean;
  /** Only with `target`: what depends on the targets is included. */
  targetDependents: boolean;
  continueOnError: boolean;
  /** `destroy` everything but protected resources. */
  excludeProtected: boolean;
  /** `destroy` removes the stack afterwards, its history and config with it. */
  remove: boolean;
  suppressOutputs: boolean;
  suppressProgress: boolean;
  log: EngineLog;
}

/** How the engine writes its log. */
export interface EngineLog {
  color: Color;
  /** `-v N`, written to the step's log (`--logtostderr`). */
  verbosity?: number;
  /** The verbosity passed on to plugins (`--logflow`). */
  flow: boolean;
  debug: boolean;
}

/**
 * Logging in to Pulumi Cloud with the job's GitHub ID token instead of a stored token (`oidc-login`):
 * Pulumi's OAuth token exchange issues a short-lived access token for the CLI of this step.
 */
export interface OidcLogin {
  /** The organization whose OIDC trust policy admits the job: the ID token's audience is `urn:pulumi:org:<org>`. */
  org: string;
  /** What Pulumi issues: an organization's token, a team's or a person's. */
  tokenType: 'organization' | 'team' | 'personal';
  /** `team:<name>` or `user:<login>`; none for an organization's token. */
  scope?: string;
  /** How long the issued token lasts; Pulumi's default when not given. */
  expirationSeconds?: number;
  /** The Pulumi Cloud API whose token endpoint makes the exchange. */
  apiUrl: string;
}

/** The Pulumi Cloud API the CLI uses when no backend is given or logged in to. */
export const DEFAULT_CLOUD_URL = 'https://api.pulumi.com';

/** What every command shares. */
export interface CommonSettings {
  /** Real path of the checked-out repository (GITHUB_WORKSPACE): every path input stays inside it. */
  workspace: string;
  /** Absolute path of the folder holding Pulumi.yaml (for `detect`, the folder searched for projects). */
  workDir: string;
  /** The backend in effect: `backend-url`, else PULUMI_BACKEND_URL, else the CLI's own default. */
  backendUrl?: string;
  /** The runner's temporary folder, deleted when the job ends. */
  runnerTemp?: string;
  secretsProvider?: string;
  installDependencies: boolean;
  /** Dependencies, plugins and the CLI through GitHub's Actions cache (`cache`). */
  cache: boolean;
  ephemeralStacks: string[];
  pulumiVersion: string;
  /** How long to wait for another run's lock on the stack before giving up. */
  lockTimeoutMs: number;
  /** Whether the report goes to the job summary (`comment-on-summary`). */
  jobSummary: boolean;
  /** Where the PR comment goes; no issue number means no comment. */
  comment: { mode: CommentMode; noChanges: NoChangesComment; token?: string; issueNumber?: number };
  /** `PULUMI_DESTROY_APPROVED` is exactly `true`. */
  destroyApproved: boolean;
  github: GitHubContext;
  /** Log in with the job's ID token rather than a stored token. */
  oidcLogin?: OidcLogin;
  /** Pulumi Cloud's console for the backend, where the CLI links updates; none for other backends. */
  cloudConsoleUrl?: string;
}

/** An output the smoke test expects: an exact value, or a pattern its text must match. */
export type OutputExpectation = { key: string; equals: unknown } | { key: string; matches: RegExp };

export interface StackSettings extends CommonSettings {
  command: StackCommand;
  stack: string;
  /** The stack's name matches `ephemeral-stacks`: a throwaway stack. */
  ephemeral: boolean;
  org?: string;
  project: ProjectFile;
  config: ConfigEntry[];
  refresh: boolean;
  operation: OperationOptions;
  /** `up` and `destroy` need this run approved for the named environment by someone else. */
  requireApproval?: string;
  /** Absolute path of the update plan `preview` saves and `up` applies. */
  planFile?: string;
  /** `drift` fails the step when something changed outside Pulumi. */
  failOnDrift: boolean;
  /** `up` may keep state in a file backend inside the runner's temporary space. */
  allowEphemeralState: boolean;
  /** An `up` that deletes or replaces anything in a lasting stack needs the destroy approval. */
  deletesNeedApproval: boolean;
  smoke: { ttlMs: number; expectOutputs: OutputExpectation[] };
  /**
   * The open pull request the run acts for: the event's (`pull_request` and the like, while open), or
   * a comment command's. It claims the stack's lock for `up`, `refresh` and `destroy`, and its head
   * (`headSha`) gets the merge check.
   */
  pullRequest?: OpenPullRequest;
}

export interface OpenPullRequest {
  number: number;
  /** The commit the run is for: the event's `pull_request.head.sha`, or the head a comment command was admitted at. */
  headSha?: string;
}

export interface CleanupSettings extends CommonSettings {
  command: 'cleanup';
  project: ProjectFile;
  /** The organization whose stacks are examined; the CLI's default one when not given. */
  org?: string;
  /** The pull request whose stacks go: a `closed` event's, or `pr-number`; never an open one's. */
  closedPullRequest?: number;
}

export interface DetectSettings extends CommonSettings {
  command: 'detect';
}

/** `install`: the CLI, the program's dependencies and its plugins, with no operation. */
export interface InstallSettings extends CommonSettings {
  command: 'install';
  project: ProjectFile;
}

/** `comment`: the command a pull request comment gives, run on one of `stacks` once admitted. */
export interface CommentSettings extends CommonSettings {
  command: 'comment';
  /** The stacks a comment may name: the `stack` input's list. */
  stacks: string[];
  prCommand: {
    requiredRole: RequiredRole;
    requirements: Requirement[];
    /** An approval of an earlier commit than the head counts (never for a fork's code). */
    staleApprovals: boolean;
    /** Commands on pull requests from forks may run, each with an approval of the head. */
    allowForks: boolean;
  };
  /** The `issue_comment` event's payload, as the runner wrote it. */
  event: unknown;
  /** What the command the comment names runs with, but for the command and the stack. */
  stackSettings: Omit<StackSettings, 'command' | 'stack' | 'ephemeral'>;
}

export type Settings = StackSettings | CleanupSettings | DetectSettings | CommentSettings | InstallSettings;

export interface GitHubContext {
  apiUrl: string;
  repository?: { owner: string; repo: string };
  eventName?: string;
  runUrl?: string;
  /** The pull request the event is about, if any. */
  pullRequest?: number;
  /** The pull request a `pull_request: closed` event is about. */
  closedPullRequest?: number;
  /** The pull request an event of an open pull request is about (`pull_request`, `pull_request_target`, …). */
  openPullRequest?: OpenPullRequest;
  runId?: number;
  /** Who started the run. */
  actor?: string;
  /** Who triggered this attempt of it: on a re-run, whoever re-ran it. */
  triggeringActor?: string;
  /** The commit the run is for. */
  sha?: string;
}

/** Self-managed (DIY) backends, which know only the organization `organization`. */
export const SELF_MANAGED_BACKEND = /^(file|s3|gs|azblob|postgres):\/\//;
