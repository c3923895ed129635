// Pulumi's own file and wire formats, as far as the action reads them: the project file
// (`Pulumi.yaml`), the special values in the engine's JSON (a secret, an asset, an archive, a value
// not yet known), the text the CLI shows in place of a secret's value, and the colour markup the
// engine embeds in its messages. They are facts of the CLI and its SDKs, not choices of the action,
// and each is written here once: two readings of one format drift apart (the outputs once took any
// special value, an asset or an archive too, for a secret and dropped its value). Pure, except
// where the project file is looked for and read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ProjectFile } from './settings.js';

/** A `Pulumi.yaml` the action cannot use, or none: the message names the file and what to do. */
export class ProjectFileError extends Error {
  override name = 'ProjectFileError';
}

/** The CLI's rule for a project's name (the `project` input follows it too). */
export const PROJECT_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}$/;

/** The names the CLI takes for a project file, in the order it looks for them. */
export const PROJECT_FILE_NAMES: readonly string[] = ['Pulumi.yaml', 'Pulumi.yml'];

/** The project file in a folder, if it has one. */
export function projectFileIn(workDir: string): string | undefined {
  return PROJECT_FILE_NAMES.map((name) => path.join(workDir, name)).find((f) => fs.existsSync(f));
}

export function readProjectFile(workDir: string): ProjectFile {
  const file = projectFileIn(workDir);
  if (!file) {
    throw new ProjectFileError(`Input 'work-dir' points to ${workDir}, which has no Pulumi.yaml: name the folder of your Pulumi project.`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ProjectFileError(`${file} is not valid YAML (${(err as Error).message.split('\n')[0]}): fix the project file.`);
  }
  const project = doc as { name?: unknown; runtime?: unknown; stackConfigDir?: unknown } | null;
  if (!project || typeof project !== 'object' || typeof project.name !== 'string' || !PROJECT_NAME.test(project.name)) {
    throw new ProjectFileError(`${file} has no valid 'name': give the project a name of letters, digits, '-', '_' and '.'.`);
  }
  const runtime = project.runtime;
  const runtimeName = typeof runtime === 'string' ? runtime : (runtime as { name?: unknown } | undefined)?.name;
  if (typeof runtimeName !== 'string') {
    throw new ProjectFileError(`${file} has no 'runtime': set it to python, nodejs or another Pulumi runtime.`);
  }
  const options = typeof runtime === 'object' && runtime ? (runtime as { options?: unknown }).options : undefined;
  return {
    name: project.name,
    runtime: runtimeName,
    runtimeOptions: options && typeof options === 'object' ? (options as Record<string, unknown>) : {},
    ...(typeof project.stackConfigDir === 'string' ? { stackConfigDir: project.stackConfigDir } : {}),
  };
}

/**
 * The engine writes a special value as an object holding this key; its value says which kind: a
 * secret, an asset, an archive, a resource reference (the Go SDK's `resource/sig` package).
 */
export const SIGNATURE_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIGNATURE = '1b47061264138c4ac30d75fd1eb44270';

/** A secret, as the engine's events and the state write it; an asset or an archive is not one. */
export function isSecret(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** The engine's stand-in for a value not known until the update runs (in previews). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** What the CLI shows for a secret's value (its events' `ciphertext`, `stack output`), and so does the action. */
export const SECRET_PLACEHOLDER = '[secret]';

/** Colour directives (`<{%reset%}>`, `<{%fg 3%}>`…) the engine embeds in messages and `--color raw` output. */
export const COLOR_MARKUP = /<\{%[^%]*%\}>/g;
