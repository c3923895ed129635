// The stack a run works on: the Automation API's LocalWorkspace for config, tags and state, and the
// CLI's engine commands, every call naming the stack with `--stack`. The stack is never selected:
// `pulumi stack select` is a CLI process of its own (about 120 ms) that only finds out whether the
// stack exists, which the first call that needs the stack finds out anyway.
import * as log from '../base/log.js';
import * as fs from 'node:fs';
import type { Deployment, LocalWorkspace, LocalWorkspaceOptions, OutputMap, PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { SELF_MANAGED_BACKEND, type ConfigEntry, type StackSettings } from '../model/settings.js';
import { isStackNotFound, PulumiCommandError, pulumiErrorMessage, runEngine, type EngineCall, type EngineResult } from './engine.js';
import { passphraseCrypter, type SecretCrypter } from './passphrase.js';
import type { KeyDerivation } from '../base/run-context.js';
import { runProcess } from './process.js';
import { editStackConfig, stackConfigFile } from './stack-config.js';

/** The Automation API's LocalWorkspace, loaded when first needed (see automation.ts). */
export async function localWorkspace(options: LocalWorkspaceOptions): Promise<LocalWorkspace> {
  // Left to Node, not bundled in: automation.js is a bundle of its own (see scripts/bundle.mjs).
  const { LocalWorkspace } = await import(/* webpackIgnore: true */ './automation.js');
  return LocalWorkspace.create(options);
}

/** The stack does not exist and the command may not create it: bad input, reported as such. */
export class MissingStackError extends Error {
  override name = 'MissingStackError';
}

/** What a LocalWorkspace is made from; the engine's commands need the same three. */
type StackOptions = LocalWorkspaceOptions & Required<Pick<LocalWorkspaceOptions, 'workDir' | 'envVars' | 'pulumiCommand'>>;

export class PulumiStack {
  /** Set by the first call that reached the stack. */
  private exists = false;
  private workspace?: Promise<LocalWorkspace>;

  constructor(
    private readonly options: StackOptions,
    /** The name every call passes as `--stack`. */
    readonly name: string,
    /** Fully qualified, org/project/stack, for the report (on Pulumi Cloud without `org`, as the CLI names it: see defaultOwner). */
    readonly ref: Promise<string>,
    private readonly mayCreate: boolean,
  ) {}

  /**
   * Runs an engine command (`preview`, `up`, `refresh`, `destroy` and their options) on this stack.
   * An engine killed after the runner's second signal never released the stack's lock: it is
   * removed at once, so the next run need not wait out its `lock-timeout` for a lock nobody holds.
   */
  run(args: readonly string[], hooks: Pick<EngineCall, 'onOutput' | 'onEvent' | 'signal' | 'terminate'>): Promise<EngineResult> {
    const { pulumiCommand, workDir, envVars } = this.options;
    return this.use(async () => {
      try {
        return await runEngine([...args, '--stack', this.name], { ...hooks, cli: pulumiCommand.command, cwd: workDir, env: envVars });
      } catch (err) {
        if (err instanceof PulumiCommandError && err.killed) await this.cancel('the killed update');
        throw err;
      }
    });
  }

  /**
   * `pulumi cancel`: removes the stack's lock (every lock file, on a self-managed backend), or ends
   * the update Pulumi Cloud thinks is running. Only for a lock known to be nobody's: a killed
   * update of this run's, or one left by a process of this host that no longer runs.
   */
  async cancel(whose: string): Promise<void> {
    try {
      await this.cli(['cancel', '--yes']);
      log.info(`Removed the stack's lock left by ${whose} (pulumi cancel).`);
    } catch (err) {
      log.warning(`Could not remove the stack's lock left by ${whose}: ${pulumiErrorMessage(err)}`);
    }
  }

  /**
   * Config values the stack file editor leaves to the CLI: the plain ones in one `config set-all`
   * per kind of key (plain, property path), each secret in a `config set` of its own that reads the
   * value from standard input, because any process on the runner can read a command line
   * (`/proc/<pid>/cmdline`). No Automation API on the way: its `setAllConfig` puts secrets there.
   */
  async setConfig(entries: readonly ConfigEntry[]): Promise<void> {
    for (const isPath of [false, true]) {
      const plain = entries.filter((e) => !e.secret && e.path === isPath);
      if (plain.length > 0) await this.config(['set-all', ...pathFlag(isPath), ...plain.flatMap((e) => ['--plaintext', `${e.key}=${e.value}`])]);
    }
    for (const secret of entries.filter((e) => e.secret)) {
      await this.config(['set', '--secret', '--raw', ...pathFlag(secret.path), '--', secret.key], secret.value);
    }
  }

  /** A `pulumi config` subcommand, for a stack that may not exist yet. */
  private async config(args: string[], input?: string): Promise<void> {
    await this.use(() => this.cli(['config', ...args], input));
  }

  /**
   * A CLI command other than the engine's on this stack; its arguments end with positional ones after
   * `--`, if any. Returns what it printed to stdout.
   */
  private async cli(args: string[], input?: string): Promise<string> {
    const { pulumiCommand, workDir, envVars } = this.options;
    const end = args.includes('--') ? args.indexOf('--') : args.length;
    const full = [...args.slice(0, end), '--stack', this.name, '--non-interactive', ...args.slice(end)];
    const stdout: string[] = [];
    const result = await runProcess(pulumiCommand.command, full, { cwd: workDir, env: { ...process.env, ...envVars }, input, onLine: (line) => stdout.push(line), logStderr: false });
    PulumiCommandError.throwIfFailed(result);
    return stdout.join('\n');
  }

  /**
   * The stack's tags, by the CLI itself (`pulumi stack tag ls --json`) rather than the Automation
   * API's workspace, which a preview or an update of an existing stack never has to load. A stack
   * that does not exist has none, and is not created for asking: the operation that runs beside
   * this, or the first tag written, creates it where the command may.
   */
  async tags(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await this.cli(['stack', 'tag', 'ls', '--json']);
    } catch (err) {
      if (isStackNotFound(err)) return {};
      throw err;
    }
    this.exists = true;
    const listed: unknown = JSON.parse(text);
    if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new Error('pulumi stack tag ls gave no object of tags');
    return Object.fromEntries(Object.entries(listed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  /** Sets one tag. The CLI rewrites all of the stack's tags to do it (see pr-lock-claim.ts). */
  async setTag(name: string, value: string): Promise<void> {
    await this.use(() => this.cli(['stack', 'tag', 'set', '--', name, value]));
  }

  /** Removes one tag; one that is not there is no error. */
  async removeTag(name: string): Promise<void> {
    await this.use(() => this.cli(['stack', 'tag', 'rm', '--', name]));
  }

  exportStack(): Promise<Deployment> {
    return this.use(async () => (await this.local()).exportStack(this.name));
  }

  /** The outputs with secrets' values: two CLI calls, so only where the engine's events do not do. */
  outputs(): Promise<OutputMap> {
    return this.use(async () => (await this.local()).stackOutputs(this.name));
  }

  private local(): Promise<LocalWorkspace> {
    this.workspace ??= localWorkspace(this.options);
    return this.workspace;
  }

  /**
   * A call that needs the stack. The first to find it missing creates it, where the plan allows (for
   * `preview`, `up` and `smoke`), so a `destroy` or `refresh` of a mistyped stack fails instead of
   * leaving a new empty one.
   */
  private async use<T>(call: () => Promise<T>): Promise<T> {
    if (this.exists) return call();
    try {
      const result = await call();
      this.exists = true;
      return result;
    } catch (err) {
      if (!isStackNotFound(err)) throw err;
      if (!this.mayCreate) {
        throw new MissingStackError(
          `Stack '${this.name}' does not exist (${pulumiErrorMessage(err)}), and this command does not create stacks: ` +
            `check the 'stack', 'org' and 'backend-url' inputs, or create the stack with 'command: up'.`,
        );
      }
    }
    await (await this.local()).createStack(this.name).catch((err: unknown) => {
      // Another job may have created it meanwhile.
      if (!/already exists/.test(pulumiErrorMessage(err))) throw err;
    });
    this.exists = true;
    return call();
  }
}

/** What names the stack and where it is. */
export type StackLocation = Pick<StackSettings, 'stack' | 'org' | 'project' | 'workDir' | 'backendUrl' | 'secretsProvider'>;

/**
 * Whether two CLI processes may open the backend at the same time. Not a PostgreSQL one: the CLI
 * creates its table on a database's first use with `CREATE TABLE IF NOT EXISTS`, which is not safe
 * against a concurrent first use; one of the two fails (`duplicate key value violates unique
 * constraint "pg_type_typname_nsp_index"`: 5 of 20 pairs of `pulumi stack ls` on new databases,
 * CLI v3.274.1).
 */
export function opensConcurrently(backendUrl: string | undefined): boolean {
  return !/^postgres(?:ql)?:\/\//i.test(backendUrl ?? '');
}

/** Opens the stack: no CLI process on the way (the default organization, when needed, is looked up in the background). */
export function openStack(settings: StackLocation, pulumiCommand: PulumiCommand, envVars: Record<string, string>, mayCreate: boolean): PulumiStack {
  const org = settings.org ?? (SELF_MANAGED_BACKEND.test(settings.backendUrl ?? '') ? 'organization' : undefined);
  const stackName = settings.org ? `${settings.org}/${settings.project.name}/${settings.stack}` : settings.stack;
  const options = {
    workDir: settings.workDir,
    pulumiCommand,
    envVars: { ...envVars, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
    secretsProvider: settings.secretsProvider,
  };
  // A round trip to Pulumi Cloud that only the report needs: it runs beside the operation.
  const owner = org ? Promise.resolve(org) : defaultOwner(pulumiCommand.command, options.workDir, options.envVars).catch(() => '(unknown owner)');
  const ref = owner.then((name) => `${name}/${settings.project.name}/${settings.stack}`);
  return new PulumiStack(options, stackName, ref, mayCreate);
}

/**
 * Whose a stack named without an organization is, by the CLI's own rule: `PULUMI_DEFAULT_ORGANIZATION`, else
 * the default `pulumi org set-default` saved for the backend, else the service's default for the
 * user (`pulumi org get-default` applies the three), else the user (`pulumi whoami`). A backend
 * without organizations (one logged in to as `file://…`) has only `organization`.
 */
export async function defaultOwner(cli: string, cwd: string, envVars: Record<string, string>): Promise<string> {
  const answer = async (args: string[]) => {
    const lines: string[] = [];
    const result = await runProcess(cli, [...args, '--non-interactive'], { cwd, env: { ...process.env, ...envVars }, onLine: (l) => lines.push(l), logStderr: false });
    PulumiCommandError.throwIfFailed(result);
    return (
      lines
        .map((l) => l.trim())
        .filter(Boolean)
        .at(-1) ?? ''
    );
  };
  let org: string;
  try {
    org = await answer(['org', 'get-default']);
  } catch (err) {
    if (/do not support organizations/.test(pulumiErrorMessage(err))) return 'organization';
    throw err;
  }
  const owner = org && org !== NO_DEFAULT_ORG ? org : await answer(['whoami']);
  if (!OWNER_NAME.test(owner)) throw new Error(`the backend named the stack's owner ${JSON.stringify(owner)}`);
  return owner;
}

/** The project's stacks by their short names (`pulumi stack ls`), those of `org` where one is given. */
export async function projectStacks(cli: string, cwd: string, envVars: Record<string, string>, org?: string): Promise<string[]> {
  const lines: string[] = [];
  const args = ['stack', 'ls', '--json', ...(org ? ['--organization', org] : []), '--non-interactive'];
  PulumiCommandError.throwIfFailed(await runProcess(cli, args, { cwd, env: { ...process.env, ...envVars }, onLine: (l) => lines.push(l), logStderr: false }));
  return (JSON.parse(lines.join('\n')) as { name: string }[]).map((s) => s.name.split('/').pop()!);
}

/** What `pulumi org get-default` prints when none of its sources names an organization. */
const NO_DEFAULT_ORG = 'No Default Org Specified';
const OWNER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const pathFlag = (path: boolean) => (path ? ['--path'] : []);

/**
 * Values straight into the stack's settings file, no CLI process (and no write at all when the file
 * holds them already): plain ones always, secret ones where the stack's passphrase crypter is at
 * hand. The rest through the CLI, secrets never on its command line.
 */
export async function applyConfig(stack: PulumiStack, settings: StackSettings, crypter: Promise<SecretCrypter | undefined>): Promise<void> {
  if (settings.config.length === 0) return;
  const file = stackConfigFile(settings.workDir, settings.project, settings.stack);
  const secrets = settings.config.some((c) => c.secret) ? await crypter : undefined;
  const { text, viaCli } = editStackConfig(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined, settings.project.name, settings.config, secrets);
  if (text !== undefined) fs.writeFileSync(file, text);
  if (viaCli.length > 0) await stack.setConfig(viaCli);
}

/** The passphrase crypter for the stack's secret config, with the key the entry point started to derive where it fits. */
export function secretCrypter(settings: StackSettings, env: Record<string, string | undefined>, started?: KeyDerivation): Promise<SecretCrypter | undefined> {
  if (!settings.config.some((c) => c.secret)) return Promise.resolve(undefined);
  return passphraseCrypter(stackConfigFile(settings.workDir, settings.project, settings.stack), env, started);
}
