// A real policy pack (examples/policy-pack, @pulumi/policy run by the toolchain's Node.js language
// host) over the example program, through the bundled action and the real CLI: the PR comment lists
// each violation, a mandatory one fails the step before any file is written, an advisory one does not.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installedPolicyPack } from '../../scripts/policy-pack.mjs';
import { REPO } from '../../scripts/runner.mjs';
import { startGitHubApi, type GitHubApiServer } from '../support/github-api.js';
import { errorsOf, filesIn, preparedWorkspace, runStep, type Workspace } from '../support/e2e.js';

const TOKEN = 'ghs_workflow';
const OWNER = 'octo-org';
const REPO_NAME = 'infra';
const PR = 5;

let ws: Workspace;
let pack: string;
let api: GitHubApiServer;

beforeAll(async () => {
  pack = installedPolicyPack(path.join(REPO, 'examples', 'policy-pack'));
  ws = await preparedWorkspace();
}, 300_000);

afterAll(() => fs.rmSync(ws.root, { recursive: true, force: true }));

afterEach(async () => {
  expect(api.rejected).toEqual([]);
  await api.close();
});

async function withPolicies(command: string, config: Record<string, unknown>, inputs: Record<string, string> = {}) {
  api = await startGitHubApi({ tokens: [{ token: TOKEN, kind: 'installation' }] });
  const run = await runStep(ws, {
    inputs: { command, stack: 'dev', 'policy-packs': pack, 'github-token': TOKEN, config: JSON.stringify({ outDir: ws.outDir, ...config }), ...inputs },
    env: { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: `${OWNER}/${REPO_NAME}` },
    eventName: 'pull_request',
    event: { action: 'synchronize', number: PR, pull_request: { number: PR } },
  });
  const [comment] = api.comments(OWNER, REPO_NAME, PR);
  return { run, comment: comment?.body ?? '' };
}

/** The comment's row for a violation: level, pack / policy, resource (the stack for a stack policy), then the message. */
const row = (level: string, policy: string, resource: string) =>
  `| ${level === 'mandatory' ? '🚫' : '⚠️'} ${level} | <code>files-policies</code> / <code>${policy}</code> | <code>${resource}</code> |`;

describe('policy packs', () => {
  it('reports advisory violations, per resource and for the stack, and lets the preview pass', async () => {
    const { run, comment } = await withPolicies('preview', { message: 'howdy', fileCount: 6 });
    expect(errorsOf(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs['policy-violations']!)).toEqual({ mandatory: 0, advisory: 7 });
    expect(comment).toContain('### Policy violations');
    for (let i = 0; i < 6; i++) expect(comment).toMatch(new RegExp(`${escape(row('advisory', 'greets-politely', `file-${i}`))} .*file-${i} does not start with hello or hi`));
    expect(comment).toMatch(new RegExp(`${escape(row('advisory', 'few-files', 'files-py-dev'))} .*The stack holds 6 files, more than 5`));
  }, 120_000);

  it('configures a policy with policy-pack-configs, relative to work-dir', async () => {
    fs.writeFileSync(path.join(ws.root, ws.workDir, 'policy-config.json'), JSON.stringify({ 'few-files': { maximum: 2 } }));
    const { run, comment } = await withPolicies('preview', { message: 'hello', fileCount: 3 }, { 'policy-pack-configs': 'policy-config.json' });
    expect(errorsOf(run)).toEqual([]);
    expect(JSON.parse(run.outputs['policy-violations']!)).toEqual({ mandatory: 0, advisory: 1 });
    expect(comment).toMatch(new RegExp(`${escape(row('advisory', 'few-files', 'files-py-dev'))} .*The stack holds 3 files, more than 2`));
  }, 120_000);

  it('fails an up on a mandatory violation, listing it, and writes no file', async () => {
    const { run, comment } = await withPolicies('up', { message: 'hello, forbidden' });
    expect(run.code).toBe(1);
    expect(errorsOf(run)).toHaveLength(1);
    // The engine stops at the first mandatory violation; which file's comes first varies.
    const stopped = /^::error::operation: 1 mandatory policy violation\(s\) stopped it: files-policies\/no-forbidden-words on (file-\d): file-\d says 'forbidden'; choose another message\.$/.exec(
      errorsOf(run)[0]!,
    );
    expect(stopped).not.toBeNull();
    expect(JSON.parse(run.outputs['policy-violations']!)).toEqual({ mandatory: 1, advisory: 0 });
    expect(comment).toContain('<code>pulumi up</code> failed');
    expect(comment).toMatch(new RegExp(`${escape(row('mandatory', 'no-forbidden-words', stopped![1]!))} .*${stopped![1]} says 'forbidden'; choose another message`));
    expect(filesIn(ws.outDir)).toEqual([]);
  }, 120_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
