// The step's log, written here and nowhere else. The runner reads every line a step prints for
// workflow commands: `::name …::data` at the start of a line once leading whitespace is trimmed, or
// `##[name …]data` anywhere in it, and it starts a new line at every `\r` as well as at `\n`. Much
// of what the action prints is someone else's text (the engine's output with the program's and the
// providers' messages and diffs, installers' output, names and errors from the backend), and a line
// of it that looks like a command would be obeyed: a fake annotation, `::add-mask::` or
// `::stop-commands::` silencing the action's own masking and errors, a step output. So text that
// could be read as a command is printed between `::stop-commands::<token>` and `::<token>::`, the
// runner's own way to print commands without running them, each time with a new unguessable token.
// The action's own commands (annotations, groups, masks, the failure) go through @actions/core,
// which escapes their data into one line.
import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';

/** Where the runner could find a command: `::` opening a line after whitespace (.NET's, U+0085 included), or `##[`. */
const COMMAND_LIKE = /(?:^|[\r\n])[\s\u0085]*::|##\[/;

/** Prints text, any text: nothing in it is taken as a workflow command. */
export function info(text: string): void {
  if (!COMMAND_LIKE.test(text)) {
    core.info(text);
    return;
  }
  const token = randomBytes(16).toString('hex');
  core.info(`::stop-commands::${token}`);
  core.info(text);
  core.info(`::${token}::`);
}

export const { warning, group, setSecret, setFailed } = core;

/**
 * GitHub's OIDC ID token for `audience`, which the runner hands out through
 * ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN. Here because @actions/core registers the token as a
 * secret with a workflow command of its own (`::add-mask::`), as it does the masks above.
 */
export const { getIDToken } = core;
