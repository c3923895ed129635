// Pulumi's formats as the action reads them: the project file, the special values of the engine's
// JSON (only a secret is a secret), the colour markup.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COLOR_MARKUP, isSecret, ProjectFileError, readProjectFile, SECRET_PLACEHOLDER } from '../../../src/model/pulumi-formats.js';

describe('special values', () => {
  // The signatures of the Go SDK's resource/sig package, under its one signature key.
  const KEY = '4dabf18193072939515e22adb298388d';

  it('takes only the secret signature for a secret', () => {
    expect(isSecret({ [KEY]: '1b47061264138c4ac30d75fd1eb44270', ciphertext: SECRET_PLACEHOLDER })).toBe(true);
    expect(isSecret({ [KEY]: 'c44067f5952c0a294b673a41bacd8c17', text: 'an asset' })).toBe(false);
    expect(isSecret({ [KEY]: '0def7320c3a5731c473e5ecbe6d01bc7', path: 'an archive' })).toBe(false);
    expect(isSecret({ [KEY]: '5cf8f73096256a8f31e491e813e4eb8e', urn: 'urn:pulumi:dev::p::t::a resource reference' })).toBe(false);
    for (const plain of [null, undefined, '1b47061264138c4ac30d75fd1eb44270', ['1b47061264138c4ac30d75fd1eb44270'], { secret: true }]) expect(isSecret(plain)).toBe(false);
  });

  it('strips every colour directive of the engine, however often it is used', () => {
    expect('<{%fg 1%}>error:<{%reset%}> x'.replace(COLOR_MARKUP, '')).toBe('error: x');
    expect('<{%bold%}>y<{%reset%}>'.replace(COLOR_MARKUP, '')).toBe('y');
    expect('a <{ b }> %c%'.replace(COLOR_MARKUP, '')).toBe('a <{ b }> %c%');
  });
});

describe('the project file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-formats-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const project = (name: string, text: string) => {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, name.endsWith('yml') ? 'Pulumi.yml' : 'Pulumi.yaml'), text);
    return folder;
  };

  it('reads the name, the runtime with its options and the stacks folder, from Pulumi.yaml or Pulumi.yml', () => {
    expect(readProjectFile(project('short', 'name: shop\nruntime: nodejs\n'))).toEqual({ name: 'shop', runtime: 'nodejs', runtimeOptions: {} });
    expect(readProjectFile(project('long-yml', 'name: shop\nruntime:\n  name: python\n  options:\n    toolchain: uv\nstackConfigDir: stacks\n'))).toEqual({
      name: 'shop',
      runtime: 'python',
      runtimeOptions: { toolchain: 'uv' },
      stackConfigDir: 'stacks',
    });
  });

  it('refuses a folder without one, bad YAML, a bad name or no runtime, naming the file and the fix', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => readProjectFile(empty)).toThrow(new ProjectFileError(`Input 'work-dir' points to ${empty}, which has no Pulumi.yaml: name the folder of your Pulumi project.`));
    expect(() => readProjectFile(project('bad-yaml', 'name: [shop\n'))).toThrow(/Pulumi.yaml is not valid YAML \(.+\): fix the project file\.$/);
    const badName = project('bad-name', 'name: -shop\nruntime: nodejs\n');
    expect(() => readProjectFile(badName)).toThrow(new ProjectFileError(`${path.join(badName, 'Pulumi.yaml')} has no valid 'name': give the project a name of letters, digits, '-', '_' and '.'.`));
    const noRuntime = project('no-runtime', 'name: shop\n');
    expect(() => readProjectFile(noRuntime)).toThrow(new ProjectFileError(`${path.join(noRuntime, 'Pulumi.yaml')} has no 'runtime': set it to python, nodejs or another Pulumi runtime.`));
  });
});
