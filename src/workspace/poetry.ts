// A poetry-managed Python program, installed the way Pulumi's language host installs it (`poetry
// install` where the program is) into the virtual environment poetry itself chooses, which the host
// finds again with `poetry env info --path`. Pulumi ignores `virtualenv` for poetry, and so does this.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOnPath } from './version-check.js';
import { DependencyError, fingerprint, readIfExists, searchUp, type DependencyPlan, type Env } from './dependency-plan.js';
import { pythonIdentity } from './runtime-identity.js';

export async function planPoetry(workDir: string, env: Env, signal?: AbortSignal): Promise<DependencyPlan> {
  // Pulumi looks for poetry on PATH only, and never installs it.
  const poetry = findOnPath('poetry', env.PATH ?? '');
  if (!poetry) {
    throw new DependencyError(
      "Pulumi.yaml's toolchain is poetry (named in runtime.options, or found from poetry.lock), but no `poetry` is on PATH, where Pulumi's language host looks for it too: install it in an earlier step (`pipx install poetry`, or `pip install poetry`).",
    );
  }
  const projectDir = searchUp(workDir, 'pyproject.toml');
  if (!projectDir) {
    // Pulumi would write one from requirements.txt and delete that file: not a change to make unseen in CI.
    throw new DependencyError(
      `toolchain poetry needs a pyproject.toml in ${workDir} or a folder above it: run \`pulumi install\` (or \`poetry init\`) where you can review the result, and commit pyproject.toml and poetry.lock.`,
    );
  }
  // Poetry 2 builds a new environment from the python on PATH.
  const python = await pythonIdentity(findOnPath('python3', env.PATH ?? '') ?? 'python3', workDir, signal);
  const pyproject = readIfExists(path.join(projectDir, 'pyproject.toml'));
  // Which poetry by where it is installed, not by its file's timestamp: on a fresh runner every
  // install of the same poetry is a new file, and the environment it makes from the lock the same.
  const poetryFile = realPath(poetry);
  return {
    description: 'Python packages (poetry install)',
    fingerprint: fingerprint(['poetry', poetryFile, python, pyproject, readIfExists(path.join(projectDir, 'poetry.lock'))]),
    steps: [{ command: poetry, args: ['install', '--no-ansi', '--no-interaction'] }],
    location: {
      kind: 'asked',
      query: { command: poetry, args: ['env', 'info', '--path'] },
      memoFile: memoFile(projectDir, poetryFile, python, pyproject, env),
      searchPath: env.PATH ?? '',
    },
  };
}

/**
 * Starting poetry takes about a second, too long to learn on every run that nothing changed, so its
 * answer is remembered under a name made of what poetry decides the folder by: the project's folder
 * and name, poetry and the python it would use, its configuration (files and POETRY_* variables), an
 * active environment, and whether the project has a `.venv`. Should poetry ever answer differently
 * with all of these the same, the program still runs in the environment checked here: the
 * environment the action hands to Pulumi names it (VIRTUAL_ENV, which poetry then reports itself).
 */
function memoFile(projectDir: string, poetry: string, python: string, pyproject: string, env: Env): string {
  const home = os.homedir();
  const configDirs = env.POETRY_CONFIG_DIR
    ? [env.POETRY_CONFIG_DIR]
    : [path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pypoetry'), path.join(home, 'Library', 'Application Support', 'pypoetry')];
  const variables = Object.keys(env)
    .filter((name) => name.startsWith('POETRY_') || ['VIRTUAL_ENV', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV'].includes(name))
    .sort()
    .map((name) => `${name}=${env[name]}`);
  const key = fingerprint([
    projectDir,
    poetry,
    python,
    pyproject,
    readIfExists(path.join(projectDir, 'poetry.toml')),
    ...configDirs.map((dir) => readIfExists(path.join(dir, 'config.toml'))),
    ...variables,
    String(fs.existsSync(path.join(projectDir, '.venv'))),
  ]);
  const cache = env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(cache, 'pulumi-stack-action', `poetry-env-${key.slice(0, 16)}`);
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
