/**
 * Pulumi Cloud for the tests: the stand-in in ./pulumi-cloud/ (Go, decoding every request into
 * Pulumi's own API types; see its main.go), started over HTTPS on 127.0.0.1 with a throwaway
 * certificate, with the accounts a test needs. The real CLI reaches it as it reaches Pulumi Cloud:
 * an https:// backend URL and an access token. `close()` fails the test when the stand-in met a
 * route it does not know, a body that did not fit its type, or credentials of the wrong kind.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePulumiCloud } from '../../scripts/pulumi-cloud.mjs';
import type { ThrowawayCertificate } from './tls.js';

export interface PulumiCloudUser {
  /** The user's access token, as PULUMI_ACCESS_TOKEN carries it. */
  token: string;
  login: string;
  organizations: string[];
  /** What the service answers as the user's default organization; none when left out. */
  defaultOrg?: string;
}

/** An organization's trust in an OIDC issuer, and the tokens its policies let an ID token become. */
export interface OidcIssuer {
  org: string;
  url: string;
  /** As Pulumi's authorization policies (all `allow`): each rule a glob a claim of the ID token must match. */
  policies: { tokenType: 'organization' | 'team' | 'personal'; teamName?: string; userLogin?: string; rules: Record<string, string> }[];
}

export interface StandInRequest {
  method: string;
  path: string;
  query?: string;
  status: number;
  /** The kind of credentials it carried: `token`, `update-token`, `none`. */
  auth: string;
}

export interface StandInUpdate {
  id: string;
  kind: string;
  dryRun: boolean;
  status: string;
  version: number;
  author: string;
  events: number;
  config?: Record<string, { string: string; secret: boolean; object: boolean }>;
}

export interface StandInStack {
  /** org/project/stack */
  name: string;
  tags: Record<string, string>;
  version: number;
  resourceCount: number;
  /** The update holding the stack, if one does. */
  running?: string;
  updates: StandInUpdate[];
}

export interface PulumiCloud {
  /** The backend URL: `https://127.0.0.1:PORT`. */
  url: string;
  /** What a client process needs to trust the stand-in: Go (the CLI) and Node (the action). */
  trustEnv: Record<string, string>;
  problems(): Promise<string[]>;
  requests(): Promise<StandInRequest[]>;
  stacks(): Promise<StandInStack[]>;
  stack(name: string): Promise<StandInStack | undefined>;
  /** The access tokens the OIDC token exchange issued. */
  issuedTokens(): Promise<string[]>;
  /** Starts an update of `stack` (org/project/stack) as another client would; returns its id. */
  occupy(stack: string): Promise<string>;
  /** Ends an update `occupy` started. */
  finish(updateId: string): Promise<void>;
  /** Stops the stand-in; throws when it recorded problems. */
  close(): Promise<void>;
}

export async function startPulumiCloud(options: { users: PulumiCloudUser[]; tls: ThrowawayCertificate; oidcIssuers?: OidcIssuer[] }): Promise<PulumiCloud> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-cloud-'));
  const controlToken = randomBytes(16).toString('hex');
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ certFile: options.tls.certFile, keyFile: options.tls.keyFile, controlToken, users: options.users, oidcIssuers: options.oidcIssuers ?? [] }));
  // SSL_CERT_FILE: the stand-in fetches an OIDC issuer's keys over HTTPS with the same certificate.
  const child = spawn(ensurePulumiCloud(), [configFile], { env: { ...process.env, SSL_CERT_FILE: options.tls.certFile }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = await firstLine(child, () => stderr);
  const call = <T>(method: string, route: string): Promise<T> => request<T>(url, options.tls.cert, controlToken, method, route);
  return {
    url,
    trustEnv: { SSL_CERT_FILE: options.tls.certFile, NODE_EXTRA_CA_CERTS: options.tls.certFile },
    problems: () => call('GET', '/_standin/problems'),
    requests: () => call('GET', '/_standin/requests'),
    stacks: () => call('GET', '/_standin/stacks'),
    stack: async (name) => (await call<StandInStack[]>('GET', '/_standin/stacks')).find((s) => s.name === name),
    issuedTokens: () => call('GET', '/_standin/issued-tokens'),
    occupy: async (stack) => (await call<{ updateId: string }>('POST', `/_standin/stacks/${stack}/occupy`)).updateId,
    finish: async (id) => void (await call('POST', `/_standin/updates/${id}/finish`)),
    close: async () => {
      let problems: string[];
      try {
        problems = await call<string[]>('GET', '/_standin/problems');
      } finally {
        child.stdin.end();
        child.kill();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      if (problems.length > 0) throw new Error(`the Pulumi Cloud stand-in met requests it does not accept:\n${problems.join('\n')}`);
    },
  };
}

function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += String(chunk);
      const end = out.indexOf('\n');
      if (end < 0) return;
      child.stdout!.off('data', onData);
      resolve((JSON.parse(out.slice(0, end)) as { url: string }).url);
    };
    child.stdout!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the Pulumi Cloud stand-in exited (${code}) before it listened: ${stderr()}`)));
  });
}

function request<T>(base: string, ca: string, controlToken: string, method: string, route: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(route, base), { method, ca, headers: { Authorization: `control ${controlToken}` } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${route}: ${res.statusCode} ${body}`));
        else resolve((body ? JSON.parse(body) : undefined) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The environment the real CLI needs to use the stand-in as its backend with `token`: the backend
 * URL, the token, trust in the certificate, and a Pulumi home of its own (credentials, workspaces).
 */
export function cloudCliEnv(cloud: PulumiCloud, token: string, pulumiHome: string): Record<string, string> {
  return { ...cloud.trustEnv, PULUMI_BACKEND_URL: cloud.url, PULUMI_ACCESS_TOKEN: token, PULUMI_HOME: pulumiHome };
}

/** Runs the real CLI; returns stdout, or throws with its stderr. */
export function pulumi(args: string[], options: { cwd: string; env: Record<string, string>; input?: string }): string {
  try {
    return execFileSync('pulumi', [...args, '--non-interactive'], { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', input: options.input, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`pulumi ${args.join(' ')} failed: ${e.stderr || e.message}\n${e.stdout ?? ''}`, { cause: err });
  }
}

/**
 * Runs the real CLI without blocking this process: for calls that reach a server this process
 * serves itself (GitHub's ID-token issuer, whose keys the Pulumi Cloud stand-in fetches).
 */
export function pulumiAsync(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('pulumi', [...args, '--non-interactive'], { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pulumi ${args.join(' ')} failed: ${stderr || err.message}\n${stdout}`));
      else resolve(stdout);
    });
  });
}
