// The commit the workspace has checked out, for a pull-request command's head check: read from git
// itself, since on `issue_comment` events GITHUB_SHA is the default branch's head, not the checkout's.
import { runProcess } from './process.js';

const COMMIT_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** `dir` is any folder of the checkout (the work-dir: the code that would run). */
export async function checkedOutCommit(dir: string): Promise<string> {
  const stdout: string[] = [];
  const fail = (why: string) => new Error(`No commit is checked out in ${dir} (${why}): check out the pull request's head with actions/checkout before this step.`);
  let result;
  try {
    // `^{commit}`: the commit itself even where HEAD names an annotated tag.
    result = await runProcess('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: dir, onLine: (line) => stdout.push(line), logStderr: false });
  } catch (err) {
    throw fail((err as Error).message);
  }
  const sha = stdout.map((line) => line.trim()).find((line) => COMMIT_SHA.test(line));
  if (result.code !== 0 || !sha) throw fail(result.stderr.trim().split('\n')[0] || `git rev-parse exited with ${result.code}`);
  return sha;
}
