// What the Actions cache keeps under which key, and when the run may read and write it. How a run
// restores and saves those entries is cache.test.ts's.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { archivePaths, cachePolicy, dependenciesEntry, foreignCheckout, installedNames, pluginsEntry, type Place } from '../../../src/workspace/cache-plan.js';
import { STATE_FILE, type DependencyPlan } from '../../../src/workspace/dependency-plan.js';

const place = (workspace: string): Place => ({ platform: 'linux', arch: 'x64', workspace });

function pipPlan(venv: string, fingerprint = 'fp-1'): DependencyPlan {
  return { description: 'Python virtual environment venv (pip)', fingerprint, steps: [], location: { kind: 'known', stateFile: path.join(venv, STATE_FILE), env: {} } };
}

describe('when the cache is read and written', () => {
  const service = true;
  it('not at all when the input turns it off, or the runner gives no service', () => {
    expect(cachePolicy(false, service, {}, 'push')).toEqual({ restore: false, save: false });
    expect(cachePolicy(true, false, {}, 'push')).toEqual({ restore: false, save: false });
  });

  it("as the runner's ACTIONS_CACHE_MODE allows, any other mode as if none were given", () => {
    expect(cachePolicy(true, service, {}, 'push')).toEqual({ restore: true, save: true });
    expect(cachePolicy(true, service, { ACTIONS_CACHE_MODE: 'read' }, 'push')).toMatchObject({ restore: true, save: false, noSave: "the runner's ACTIONS_CACHE_MODE is 'read'" });
    expect(cachePolicy(true, service, { ACTIONS_CACHE_MODE: 'write-only' }, 'push')).toMatchObject({ restore: false, save: true });
    expect(cachePolicy(true, service, { ACTIONS_CACHE_MODE: ' NONE ' }, 'push')).toMatchObject({ restore: false, save: false });
    expect(cachePolicy(true, service, { ACTIONS_CACHE_MODE: 'sometimes' }, 'push')).toEqual({ restore: true, save: true });
  });

  it.each(['issue_comment', 'pull_request_target'])("never saved from %s runs, which run foreign code in the default branch's scope; restored all the same", (event) => {
    const policy = cachePolicy(true, service, {}, event);
    expect(policy).toMatchObject({ restore: true, save: false });
    expect(policy.noSave).toContain("default branch's cache scope");
  });

  it('refuses to save when the checked-out commit is not the one the run is for, where both are known', () => {
    const a = 'a'.repeat(40);
    expect(foreignCheckout(a, a)).toBeUndefined();
    expect(foreignCheckout(undefined, a)).toBeUndefined();
    expect(foreignCheckout(a, undefined)).toBeUndefined();
    expect(foreignCheckout(a, 'b'.repeat(40))).toContain("is not the branch's own code");
  });
});

describe('keys', () => {
  it("name a virtual environment's fingerprint, its absolute place, the OS and the architecture", () => {
    const here = dependenciesEntry(pipPlan('/w/infra/venv'), '/w/infra/venv', place('/w'));
    expect(here).toMatchObject({ kind: 'dependencies', paths: ['/w/infra/venv'], base: 'root', restoreKeys: [] });
    expect(here.key).toMatch(/^pulumi-stack-action-v1-dependencies-linux-x64-[0-9a-f]{64}$/);
    // Not relocatable: another checkout path is another key.
    expect(dependenciesEntry(pipPlan('/v/infra/venv'), '/v/infra/venv', place('/v')).key).not.toBe(here.key);
    expect(dependenciesEntry(pipPlan('/w/infra/venv', 'fp-2'), '/w/infra/venv', place('/w')).key).not.toBe(here.key);
    expect(dependenciesEntry(pipPlan('/w/infra/venv'), '/w/infra/venv', { ...place('/w'), arch: 'arm64' }).key).not.toBe(here.key);
  });

  it('keep node_modules by its place in the workspace, which works from any checkout path', () => {
    const plan = (ws: string): DependencyPlan => ({ ...pipPlan(''), location: { kind: 'known', stateFile: path.join(ws, 'infra', 'node_modules', STATE_FILE), env: {} } });
    const a = dependenciesEntry(plan('/w'), '/w/infra/node_modules', place('/w'));
    const b = dependenciesEntry(plan('/elsewhere/w'), '/elsewhere/w/infra/node_modules', place('/elsewhere/w'));
    expect(a.base).toBe('workspace');
    expect(a.key).toBe(b.key);
    expect(archivePaths(a, '/w')).toEqual(['infra/node_modules']);
  });

  describe('of the plugins', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-keys-'));
      fs.mkdirSync(path.join(dir, 'infra'));
      fs.writeFileSync(path.join(dir, 'infra', 'Pulumi.yaml'), 'name: p\nruntime: python\n');
      fs.writeFileSync(path.join(dir, 'infra', 'requirements.txt'), 'pulumi==3.272.0\n');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("change with Pulumi.yaml and the packages' files, not with the program; any earlier entry is a fallback", () => {
      const entry = () => pluginsEntry(path.join(dir, 'infra'), { PULUMI_HOME: '/p' }, place(dir));
      const first = entry();
      expect(first).toMatchObject({ paths: ['/p/plugins', '/p/policies'], base: 'root', merge: true, restoreKeys: ['pulumi-stack-action-v1-plugins-linux-x64-'] });
      fs.writeFileSync(path.join(dir, 'infra', '__main__.py'), 'print(1)\n');
      expect(entry().key).toBe(first.key);
      fs.writeFileSync(path.join(dir, 'infra', 'requirements.txt'), 'pulumi==3.272.0\npulumi-aws==7.0.0\n');
      const second = entry();
      expect(second.key).not.toBe(first.key);
      fs.appendFileSync(path.join(dir, 'infra', 'Pulumi.yaml'), 'description: x\n');
      expect(entry().key).not.toBe(second.key);
    });
  });

  it("count only whole installs in the plugins folder, not the CLI's files beside them or one half-installed", () => {
    expect(installedNames(['resource-aws-v7.0.0', 'resource-aws-v7.0.0.lock', 'resource-aws-v7.0.0.lastused', 'resource-gcp-v8.0.0', 'resource-gcp-v8.0.0.partial'])).toEqual(['resource-aws-v7.0.0']);
  });
});
