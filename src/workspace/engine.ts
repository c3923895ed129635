// Runs one engine command of the Pulumi CLI (preview, up, refresh, destroy) for a named stack, the
// way the Automation API's Stack methods do (`--non-interactive`, `--exec-kind auto.local`, the
// engine's events written to `--event-log`), minus what those methods add around the command: a
// `pulumi stack select` first, and after an update `stack output` twice and `stack history`. Those
// are four more CLI processes, each 100 ms or more, whose answers the engine's events already hold.
// The events are read from the log as the engine writes it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { stripVTControlCharacters } from 'node:util';
import type { EngineEvent, OutputMap } from '@pulumi/pulumi/automation/index.js';
import { runProcess, type ProcessResult } from './process.js';
import { COLOR_MARKUP, isSecret, SECRET_PLACEHOLDER } from '../model/pulumi-formats.js';

export interface EngineCall {
  /** The `pulumi` binary. */
  cli: string;
  cwd: string;
  env: Record<string, string>;
  onOutput: (line: string) => void;
  onEvent: (event: EngineEvent) => void;
  signal: AbortSignal;
  /** The runner's second signal: the engine is told to terminate now, and killed if it does not. */
  terminate?: AbortSignal;
}

/** A failed CLI call, shaped like the Automation API's CommandError so both read the same way. */
export class PulumiCommandError extends Error {
  override name = 'PulumiCommandError';

  /** For a failed engine command: the link it printed to its page in Pulumi Cloud's console (see EngineResult). */
  permalink?: string;

  constructor(
    readonly commandResult: { stdout: string; stderr: string; code: number },
    /** Killed after the runner's second signal: whatever it held (the stack's lock) it still holds. */
    readonly killed = false,
  ) {
    super(killed ? 'pulumi was killed: it did not stop in time after the second signal' : `pulumi exited with code ${commandResult.code}`);
  }

  /** Throws for a CLI process that failed; its last lines stand for stdout. Its words are read without colour. */
  static throwIfFailed(result: ProcessResult): void {
    if (result.code !== 0) {
      throw new PulumiCommandError({ stdout: withoutColor(result.tail.join('\n')), stderr: withoutColor(result.stderr), code: result.code }, result.killed);
    }
  }
}

/** What the engine reported about the stack itself: its outputs, when the command computed them. */
export interface EngineResult {
  outputs?: OutputMap;
  /** The link the CLI printed to the operation's page in Pulumi Cloud's console, unchecked (see updatePage). */
  permalink?: string;
}

/**
 * The CLI's own line naming the operation's page in Pulumi Cloud's console, which it prints
 * (non-interactive, any `--color`) before it shows anything of the engine's: the program's and
 * providers' output reaches the log only as engine events rendered after it. So the first such line
 * of a run is the CLI's, wherever the CLI can name the console; where it cannot, it prints none,
 * and a program could print one first: updatePage takes a link only under the console the CLI's
 * rule names, and only this stack's.
 */
const PERMALINK_LINE = /^View Live: (\S+)$/;

export async function runEngine(args: readonly string[], call: EngineCall): Promise<EngineResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-events-'));
  const eventLog = path.join(dir, 'events.jsonl');
  try {
    let outputs: OutputMap | undefined;
    let permalink: string | undefined;
    let firstLink = true;
    const onOutput = (line: string) => {
      if (firstLink) {
        const link = PERMALINK_LINE.exec(withoutColor(line));
        if (link) [firstLink, permalink] = [false, link[1]];
      }
      call.onOutput(line);
    };
    const events = new EventLogReader(eventLog, (event) => {
      outputs = rootStackOutputs(event) ?? outputs;
      call.onEvent(event);
    });
    // Read while the engine works, so little is left to parse once it exits.
    const following = setInterval(() => events.read(), EVENT_LOG_POLL_MS);
    const result = await runProcess(call.cli, [...args, '--non-interactive', '--exec-kind', 'auto.local', '--event-log', eventLog], {
      cwd: call.cwd,
      env: {
        ...process.env,
        ...call.env,
        // --event-log exists only with PULUMI_DEBUG_COMMANDS; the CLI's folder first, for its plugins.
        PULUMI_DEBUG_COMMANDS: 'true',
        PULUMI_AUTOMATION_API: 'true',
        ...(path.isAbsolute(call.cli) ? { PATH: [path.dirname(call.cli), call.env.PATH ?? process.env.PATH].join(path.delimiter) } : {}),
      },
      onLine: onOutput,
      // The CLI's own error lines are reported apart; its verbose log, when asked for, is on stderr.
      logStderr: args.includes('--logtostderr'),
      // SIGINT asks the engine to stop gracefully: it finishes the steps in flight and unlocks the stack.
      signal: call.signal,
      terminate: call.terminate,
      stopSignal: 'SIGINT',
    }).finally(() => clearInterval(following));
    events.read(true);
    try {
      PulumiCommandError.throwIfFailed(result);
    } catch (err) {
      (err as PulumiCommandError).permalink = permalink;
      throw err;
    }
    return { outputs, permalink };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const EVENT_LOG_POLL_MS = 100;

/**
 * The CLI colours with ANSI escapes (`--color always`) or, with `--color raw`, its own markup
 * (`<{%fg 1%}>`): what the action reads of its output (`error:` lines, the lock's holder, a missing
 * stack) is read without either.
 */
export function withoutColor(text: string): string {
  return stripVTControlCharacters(text).replace(COLOR_MARKUP, '');
}

/**
 * Follows the event log, one JSON event per line, from where it last stopped. Each byte is scanned
 * once: an event still being written is kept in pieces until its line ends, however long it is. A
 * run stopped mid-write may leave the last line cut: it is dropped.
 */
class EventLogReader {
  private offset = 0;
  private pending: string[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunk = Buffer.alloc(1 << 16);

  constructor(
    private readonly file: string,
    private readonly onEvent: (event: EngineEvent) => void,
  ) {}

  /** Parses the whole lines written since the last read; `last`: the writer is done. */
  read(last = false): void {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return; // not written yet, or the CLI failed before the engine started
    }
    try {
      for (let n; (n = fs.readSync(fd, this.chunk, 0, this.chunk.length, this.offset)) > 0; this.offset += n) {
        this.take(this.decoder.write(this.chunk.subarray(0, n)));
      }
    } finally {
      fs.closeSync(fd);
    }
    if (last && this.pending.length > 0) {
      this.parse(this.pending.join(''));
      this.pending = [];
    }
  }

  private take(text: string): void {
    let from = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
      this.pending.push(text.slice(from, at));
      this.parse(this.pending.join(''));
      this.pending = [];
      from = at + 1;
    }
    if (from < text.length) this.pending.push(text.slice(from));
  }

  private parse(line: string): void {
    if (!line.trim()) return;
    try {
      this.onEvent(JSON.parse(line) as EngineEvent);
    } catch {
      // the cut last line
    }
  }
}

/**
 * The stack's outputs, from the root `pulumi:pulumi:Stack` resource's outputs event. A secret's value
 * is not in the events: a secret output is marked secret with no value, and a secret nested in a
 * plain output reads "[secret]". Other special values (an asset, an archive) stay as the CLI's
 * `stack output --json` writes them.
 */
export function rootStackOutputs(event: EngineEvent): OutputMap | undefined {
  const metadata = event.resOutputsEvent?.metadata;
  if (metadata?.type !== 'pulumi:pulumi:Stack') return undefined;
  const outputs: OutputMap = {};
  for (const [key, value] of Object.entries(metadata.new?.outputs ?? {})) {
    outputs[key] = isSecret(value) ? { value: undefined, secret: true } : { value: maskSecrets(value), secret: false };
  }
  return outputs;
}

function maskSecrets(value: unknown): unknown {
  if (isSecret(value)) return SECRET_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
  return value;
}

/** Pulumi's own words from a failed CLI call: its `error:` lines, else stderr, never our stack trace. */
export function pulumiErrorMessage(err: unknown): string {
  const result = (err as { commandResult?: { stderr?: string; stdout?: string; err?: Error } }).commandResult;
  if (!result) return err instanceof Error ? err.message : String(err);
  const text = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const errors = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^error:/i.test(l));
  if (errors.length > 0) return [...new Set(errors)].join('\n');
  const stderr = (result.stderr ?? '').trim();
  return stderr || result.err?.message || 'the Pulumi CLI failed without a message';
}

/** The CLI's answer for a stack the backend does not have, from any command given `--stack`. */
export function isStackNotFound(err: unknown): boolean {
  return /no stack named.*found/.test(pulumiErrorMessage(err));
}
