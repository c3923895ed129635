// Where a Pulumi project keeps what is written beside it, read from Pulumi.yaml the way Pulumi reads
// it: the stacks' settings files and the Python virtual environment. Pure: the inputs stage confines
// these folders to the workspace, the workspace stage writes there.
import * as path from 'node:path';
import type { ProjectFile } from '../model/settings.js';

/**
 * The folder of the stacks' settings files (`Pulumi.<stack>.yaml`): `stackConfigDir` joined to the
 * project's folder as the CLI joins it (Go's filepath.Join), so an absolute value is under it too.
 */
export function stackConfigFolder(workDir: string, project: ProjectFile): string {
  return path.join(workDir, project.stackConfigDir ?? '.');
}

/**
 * The Python virtual environment the action prepares: `runtime.options.virtualenv` as the language
 * host resolves it (relative to the project's folder unless absolute), else `venv` there.
 */
export function virtualEnvFolder(workDir: string, project: ProjectFile): string {
  const option = project.runtimeOptions.virtualenv;
  return path.resolve(workDir, typeof option === 'string' ? option : 'venv');
}
