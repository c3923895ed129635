// The workflow commands GitHub's runner would carry out in what a step printed, by the rules of its
// own parser (actions/runner, ActionCommand.TryParseV2 and TryParse, ActionCommandManager): it reads
// lines as .NET's ReadLine does (a line ends at `\n`, `\r\n` or a lone `\r`); `::name props::data`
// counts once the line's leading whitespace is trimmed, `##[name props]data` anywhere in it; while
// `::stop-commands::<token>` holds, nothing runs until `::<token>::`. The act suite checks the same
// output under an independent runner.

export interface WorkflowCommand {
  name: string;
  /** The text after the command, undecoded. */
  data: string;
  line: string;
}

/** The runner's registered commands (a token of stop-commands becomes one while it holds). */
const REGISTERED = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
];

/** .NET's String.TrimStart(): Unicode white space, U+0085 and U+0009-U+000D. */
const LEADING_SPACE = /^[\s\u0085]+/;

function parse(line: string, registered: ReadonlySet<string>): WorkflowCommand | undefined {
  const trimmed = line.replace(LEADING_SPACE, '');
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end >= 0) {
      const name = trimmed.slice(2, end).split(' ')[0]!;
      if (registered.has(name.toLowerCase())) return { name, data: trimmed.slice(end + 2), line };
    }
  }
  const prefix = line.indexOf('##[');
  if (prefix >= 0) {
    const end = line.indexOf(']', prefix);
    if (end >= 0) {
      const name = line.slice(prefix + 3, end).split(' ')[0]!;
      if (registered.has(name.toLowerCase())) return { name, data: line.slice(end + 1), line };
    }
  }
  return undefined;
}

/** The commands the runner carries out, in order, for a step's stdout. */
export function workflowCommands(stdout: string): WorkflowCommand[] {
  const registered = new Set(REGISTERED);
  const carried: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    const command = parse(line, registered);
    if (!command) continue;
    const name = command.name.toLowerCase();
    if (stopToken !== undefined) {
      // An empty token never resumes: the runner cannot make a command of an empty name.
      if (stopToken !== '' && name === stopToken) {
        registered.delete(stopToken);
        stopToken = undefined;
      }
      continue;
    }
    if (name === 'stop-commands') {
      stopToken = command.data.toLowerCase();
      registered.add(stopToken);
      continue;
    }
    carried.push(command);
  }
  return carried;
}
