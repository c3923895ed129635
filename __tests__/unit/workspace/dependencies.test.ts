// The dependency plans of Python programs: which toolchain Pulumi.yaml (or a lockfile) names, the
// steps each one runs, what their fingerprint is made of, and, for poetry, how the environment
// poetry chose is found, remembered and reused. A stand-in `poetry` (a script that does what poetry
// does to its folders) stands for the real one, which the end-to-end suite runs.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installDependencies, installedEnv, isUpToDate, locateInstall, planDependencies } from '../../../src/workspace/dependencies.js';
import type { DependencyPlan } from '../../../src/workspace/dependency-plan.js';
import type { ProjectFile } from '../../../src/model/settings.js';

let root: string;
let project: string;
let bin: string;
let venv: string;
let env: Record<string, string>;

/** Makes a virtual environment on `install`, names it on `env info --path` once it exists, logs every call. */
function fakePoetry(): void {
  const script = [
    '#!/bin/sh',
    `echo "$*" >> "${path.join(root, 'poetry-calls')}"`,
    `if [ "$1" = install ]; then mkdir -p "${venv}/bin" && touch "${venv}/bin/python"; exit 0; fi`,
    `if [ "$1 $2 $3" = "env info --path" ] && [ -e "${venv}/bin/python" ]; then echo "${venv}"; exit 0; fi`,
    'exit 1',
  ].join('\n');
  fs.writeFileSync(path.join(bin, 'poetry'), `${script}\n`, { mode: 0o755 });
}

function poetryCalls(): string[] {
  return fs.existsSync(path.join(root, 'poetry-calls')) ? fs.readFileSync(path.join(root, 'poetry-calls'), 'utf8').trim().split('\n') : [];
}

function python(options: Record<string, unknown>): ProjectFile {
  return { name: 'files-py', runtime: 'python', runtimeOptions: options };
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  fs.writeFileSync(path.join(project, file), text);
}

async function plan(options: Record<string, unknown> = { toolchain: 'poetry' }, withEnv = env): Promise<DependencyPlan> {
  return (await planDependencies(project, python(options), withEnv))!;
}

beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'deps-unit-')));
  project = path.join(root, 'infra');
  bin = path.join(root, 'bin');
  venv = path.join(root, 'poetry-venvs', 'files-py-py3.11');
  fs.mkdirSync(bin, { recursive: true });
  write('pyproject.toml', '[project]\nname = "files-py"\n');
  write('poetry.lock', '# lock 1\n');
  env = { PATH: `${bin}${path.delimiter}/usr/bin:/bin`, XDG_CACHE_HOME: path.join(root, 'cache'), POETRY_CONFIG_DIR: path.join(root, 'poetry-config') };
  fakePoetry();
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('which toolchain', () => {
  it('runs poetry install where the program is, with toolchain: poetry, and asks poetry where its environment is', async () => {
    const poetry = await plan({ toolchain: 'poetry', virtualenv: 'venv' });
    expect(poetry.description).toBe('Python packages (poetry install)');
    expect(poetry.steps).toEqual([{ command: path.join(bin, 'poetry'), args: ['install', '--no-ansi', '--no-interaction'] }]);
    // Pulumi ignores `virtualenv` for poetry: the environment is the one poetry names.
    expect(poetry.location).toMatchObject({ kind: 'asked', query: { command: path.join(bin, 'poetry'), args: ['env', 'info', '--path'] } });
  });

  it('takes poetry from a poetry.lock without a toolchain option, in the program folder or above it, as Pulumi does', async () => {
    fs.rmSync(path.join(project, 'poetry.lock'));
    expect((await plan({})).description).toContain('(pip)');
    fs.writeFileSync(path.join(root, 'poetry.lock'), '');
    expect((await plan({})).description).toBe('Python packages (poetry install)');
    // Pulumi looks for uv.lock first: such a project is not poetry's.
    write('uv.lock', '');
    expect((await plan({})).description).not.toContain('poetry');
    // A toolchain named in Pulumi.yaml wins over the lockfiles.
    expect((await plan({ toolchain: 'pip' })).description).toContain('(pip)');
  });

  it('names the missing tool and how to get it when poetry is not on PATH', async () => {
    fs.rmSync(path.join(bin, 'poetry'));
    await expect(plan()).rejects.toThrow(/no `poetry` is on PATH.*`pipx install poetry`, or `pip install poetry`/);
  });

  it('wants a committed pyproject.toml rather than the one Pulumi would write over requirements.txt', async () => {
    fs.rmSync(path.join(project, 'pyproject.toml'));
    write('requirements.txt', 'pulumi\n');
    await expect(plan()).rejects.toThrow(/needs a pyproject.toml .*commit pyproject.toml and poetry.lock/);
  });

  it('refuses the toolchains the language host refuses, pipenv with what to do instead, but only where it would install', async () => {
    await expect(plan({ toolchain: 'pipenv' })).rejects.toThrow(/toolchain is 'pipenv', which Pulumi's Python language host refuses; it takes pip, poetry, uv: .*pipenv requirements/);
    await expect(plan({ toolchain: 3 })).rejects.toThrow(/toolchain is 3, not a string/);
    // Without an install (`install-dependencies: false`, `output`), the action judges nothing.
    expect(installedEnv(project, python({ toolchain: 'pipenv' }), env)).toEqual({});
  });

  it('hands the program no environment it did not install for poetry, which Pulumi asks itself, and the venv for pip', async () => {
    expect(installedEnv(project, python({ toolchain: 'poetry' }), env)).toEqual({});
    expect(installedEnv(project, python({ toolchain: 'pip', virtualenv: '.venv' }), env)).toMatchObject({ VIRTUAL_ENV: path.join(project, '.venv') });
  });
});

describe('uv', () => {
  it("seeds pip into the environment where Pulumi's host treats it as pip's, which lists the packages with pip", async () => {
    fs.writeFileSync(path.join(bin, 'uv'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    fs.rmSync(path.join(project, 'poetry.lock'));
    write('requirements.txt', 'pulumi\n');
    const onPath = await plan({});
    expect(onPath.description).toContain('(uv)');
    expect(onPath.steps[0]).toEqual({ command: path.join(bin, 'uv'), args: ['venv', '--allow-existing', '--seed', '--python', expect.any(String), path.join(project, 'venv')] });
    const named = await plan({ toolchain: 'uv' });
    expect(named.steps[0]!.args).not.toContain('--seed');
    expect(named.fingerprint).not.toBe((await plan({})).fingerprint);
  });
});

describe('what a poetry install is made from', () => {
  it('changes with poetry.lock and pyproject.toml, not with the program', async () => {
    const first = (await plan()).fingerprint;
    write('__main__.py', 'print(1)\n');
    expect((await plan()).fingerprint).toBe(first);
    write('poetry.lock', '# lock 2\n');
    const second = (await plan()).fingerprint;
    expect(second).not.toBe(first);
    write('pyproject.toml', '[project]\nname = "files-py"\nversion = "2"\n');
    expect((await plan()).fingerprint).not.toBe(second);
  });

  it('changes with the python that poetry would build the environment from', async () => {
    const first = (await plan()).fingerprint;
    fs.writeFileSync(path.join(bin, 'python3'), '', { mode: 0o755 });
    expect((await plan()).fingerprint).not.toBe(first);
  });

  it("remembers poetry's answer under what poetry decides by: its settings and an in-project .venv", async () => {
    const memo = (p: DependencyPlan) => (p.location.kind === 'asked' ? p.location.memoFile : '');
    const first = memo(await plan());
    expect(memo(await plan())).toBe(first);
    expect(memo(await plan({ toolchain: 'poetry' }, { ...env, POETRY_VIRTUALENVS_IN_PROJECT: 'true' }))).not.toBe(first);
    expect(memo(await plan({ toolchain: 'poetry' }, { ...env, VIRTUAL_ENV: '/somewhere' }))).not.toBe(first);
    write('poetry.toml', '[virtualenvs]\nin-project = true\n');
    const local = memo(await plan());
    expect(local).not.toBe(first);
    fs.mkdirSync(path.join(project, '.venv'));
    expect(memo(await plan())).not.toBe(local);
    fs.mkdirSync(env.POETRY_CONFIG_DIR!);
    fs.writeFileSync(path.join(env.POETRY_CONFIG_DIR!, 'config.toml'), '[virtualenvs]\npath = "/x"\n');
    expect(memo(await plan())).not.toBe(local);
  });
});

describe('installing and reusing with poetry', () => {
  it('installs, finds the environment poetry made, and reuses it without starting poetry; a changed lock installs again', async () => {
    const first = await plan();
    expect(await locateInstall(first, project)).toBeUndefined();
    const installed = await installDependencies(first, project, () => undefined);
    expect(installed.env).toEqual({ VIRTUAL_ENV: venv, PATH: `${path.join(venv, 'bin')}${path.delimiter}${env.PATH}` });
    expect(poetryCalls()).toEqual(['env info --path', 'install --no-ansi --no-interaction', 'env info --path']);

    const again = await plan();
    const found = await locateInstall(again, project);
    expect(found).toEqual(installed);
    expect(isUpToDate(again, found!)).toBe(true);
    // The remembered answer: poetry was not started again.
    expect(poetryCalls()).toHaveLength(3);

    write('poetry.lock', '# lock 2\n');
    const changed = await plan();
    expect(isUpToDate(changed, (await locateInstall(changed, project))!)).toBe(false);
  });

  it('asks poetry nothing when told not to, where nothing is remembered (a new machine, before the cache is tried)', async () => {
    expect(await locateInstall(await plan(), project, undefined, false)).toBeUndefined();
    expect(poetryCalls()).toEqual([]);
    const installed = await installDependencies(await plan(), project, () => undefined);
    const calls = poetryCalls().length;
    expect(await locateInstall(await plan(), project, undefined, false)).toEqual(installed);
    expect(poetryCalls()).toHaveLength(calls);
  });

  it('asks poetry again when the remembered environment is gone', async () => {
    await installDependencies(await plan(), project, () => undefined);
    fs.rmSync(venv, { recursive: true });
    expect(await locateInstall(await plan(), project)).toBeUndefined();
    expect(poetryCalls().at(-1)).toBe('env info --path');
  });

  it('forgets what a failed install was made from', async () => {
    const first = await plan();
    const installed = await installDependencies(first, project, () => undefined);
    fs.writeFileSync(path.join(bin, 'poetry'), '#!/bin/sh\necho "lock file is not consistent" >&2\nexit 1\n', { mode: 0o755 });
    await expect(installDependencies(first, project, () => undefined, undefined, installed)).rejects.toThrow(
      /'poetry install --no-ansi --no-interaction' failed with exit code 1:\nlock file is not consistent/,
    );
    expect(isUpToDate(first, installed)).toBe(false);
  });

  it('fails naming the setting when poetry installs into no virtual environment', async () => {
    fs.writeFileSync(path.join(bin, 'poetry'), '#!/bin/sh\nexit $([ "$1" = install ] && echo 0 || echo 1)\n', { mode: 0o755 });
    await expect(installDependencies(await plan(), project, () => undefined)).rejects.toThrow(/'poetry env info --path' names no virtual environment .*virtualenvs.create/);
  });
});
