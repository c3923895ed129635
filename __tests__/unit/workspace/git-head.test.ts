import { afterAll, describe, expect, it } from '@jest/globals';
import { git } from '../../support/git.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkedOutCommit } from '../../../src/workspace/git-head.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'git-head-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('checkedOutCommit', () => {
  it('reads the commit checked out, from a folder inside the checkout, detached as actions/checkout leaves a PR head', async () => {
    const repo = path.join(root, 'repo');
    fs.mkdirSync(path.join(repo, 'infra'), { recursive: true });
    git(repo, 'init', '-q');
    fs.writeFileSync(path.join(repo, 'infra', 'Pulumi.yaml'), 'name: x\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'first');
    const first = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'second');
    git(repo, 'tag', '-a', '-m', 'annotated', 'v1');
    git(repo, 'checkout', '-q', '--detach', first);
    expect(await checkedOutCommit(path.join(repo, 'infra'))).toBe(first);
    git(repo, 'checkout', '-q', 'v1');
    expect(await checkedOutCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(await checkedOutCommit(repo)).not.toBe(first);
  });

  it('says what to do outside a checkout, or in a repository with no commit yet', async () => {
    const plain = path.join(root, 'plain');
    fs.mkdirSync(plain);
    await expect(checkedOutCommit(plain)).rejects.toThrow(/^No commit is checked out in .*plain \(.*\): check out the pull request's head/);
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    git(empty, 'init', '-q');
    await expect(checkedOutCommit(empty)).rejects.toThrow(/No commit is checked out in .*empty/);
  });
});
