// git as the tests run it: in `dir`, as a fixed committer, with no user or system configuration of
// the machine's (a signing key or a hook there would change what the tests see).
import { execFileSync } from 'node:child_process';

/** Runs git in `dir`; its output, trimmed. Throws when git fails. */
export function git(dir: string, ...args: string[]): string {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, env, encoding: 'utf8' }).trim();
}
