// Logging in to Pulumi Cloud with the job's GitHub ID token (`oidc-login`), no stored token, by the
// OAuth token exchange Pulumi documents (RFC 8693, POST /api/oauth/token): the runner gives an ID
// token for the audience urn:pulumi:org:<org>, Pulumi exchanges it for a short-lived access token
// of the type and scope asked, and this step's CLI processes use that. Both tokens are masked; the
// access token reaches those processes in their environment only, never a command line or a file.
import { HttpClient } from '@actions/http-client';
import * as log from '../base/log.js';
import type { OidcLogin } from '../model/settings.js';

/** The exchange failed: the message says what to do. */
export class LoginError extends Error {
  override name = 'LoginError';
}

/** The two requests a login makes, behind an interface so the decisions around them are tested alone. */
export interface LoginIo {
  /** GitHub's ID token for `audience`, from the runner. */
  idToken(audience: string): Promise<string>;
  /** POSTs the form to `url`: the answer's status and body. */
  exchange(url: string, form: Record<string, string>): Promise<{ status: number; body: string }>;
}

const EXCHANGE_TIMEOUT_MS = 15_000;

const runnerIo: LoginIo = {
  // @actions/core's, which also registers the ID token with the runner as a secret.
  idToken: (audience) => log.getIDToken(audience),
  exchange: async (url, form) => {
    // @actions/http-client honours the runner's https_proxy and no_proxy.
    const client = new HttpClient('pulumi-stack-action', [], { socketTimeout: EXCHANGE_TIMEOUT_MS });
    const response = await client.post(url, new URLSearchParams(form).toString(), {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    });
    return { status: response.message.statusCode ?? 0, body: await response.readBody() };
  },
};

export function audienceOf(org: string): string {
  return `urn:pulumi:org:${org}`;
}

/** The token exchange's parameters, as Pulumi documents them (and its CLI sends them, form-encoded). */
export function tokenExchangeForm(login: OidcLogin, idToken: string): Record<string, string> {
  return {
    audience: audienceOf(login.org),
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    subject_token: idToken,
    requested_token_type: `urn:pulumi:token-type:access_token:${login.tokenType}`,
    ...(login.scope ? { scope: login.scope } : {}),
    ...(login.expirationSeconds ? { expiration: String(login.expirationSeconds) } : {}),
  };
}

/** Where an organization sets which ID tokens become which Pulumi tokens. */
const TRUST_POLICY = "the organization's OIDC issuer for GitHub Actions and its authorization policies in Pulumi Cloud (Settings > Access Management > OIDC Issuers)";

/** The access token Pulumi issued, or the error that says why there is none and what to do. */
export function issuedToken(login: OidcLogin, response: { status: number; body: string }): string {
  let answer: { access_token?: unknown; error?: unknown; error_description?: unknown; message?: unknown } = {};
  try {
    answer = JSON.parse(response.body) as typeof answer;
  } catch {
    // Not JSON (a proxy's page, say): its text is the detail.
  }
  if (response.status === 200) {
    if (typeof answer.access_token === 'string' && answer.access_token) return answer.access_token;
    throw new LoginError(`The token exchange at ${login.apiUrl} answered without an access token: check that 'backend-url' is Pulumi Cloud's API (such as https://api.pulumi.com).`);
  }
  const said = [answer.error, answer.error_description ?? answer.message].filter((part) => typeof part === 'string' && part).join(': ') || response.body.trim();
  const detail = said ? `: ${oneLine(said, MAX_DETAIL)}` : '';
  throw new LoginError(
    `Pulumi Cloud refused to exchange this job's ID token for ${describeToken(login)} (${response.status}${detail}): check ${TRUST_POLICY} ` +
      `against this workflow's claims (repository, ref, environment) and the token type 'oidc-login' asks for.`,
  );
}

function describeToken(login: OidcLogin): string {
  return login.tokenType === 'organization' ? `an organization token of '${login.org}'` : `a ${login.tokenType} token (${login.scope}) in '${login.org}'`;
}

/**
 * Exchanges the job's ID token for a Pulumi access token; returns the environment this step's CLI
 * processes need to use it (see cliCredentials).
 */
export async function oidcLogin(login: OidcLogin, env: NodeJS.ProcessEnv, io: LoginIo = runnerIo): Promise<Record<string, string>> {
  const audience = audienceOf(login.org);
  // The runner sets these only for a job with `permissions: id-token: write`.
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new LoginError(`GitHub gave this job no ID token to log in to Pulumi Cloud with ('oidc-login'): give the job 'permissions: id-token: write'.`);
  }
  let idToken: string;
  try {
    idToken = await io.idToken(audience);
  } catch (err) {
    throw new LoginError(`GitHub gave this job no ID token for ${audience} (${firstLine(err)}): give the job 'permissions: id-token: write'.`);
  }
  log.setSecret(idToken);
  const url = `${login.apiUrl.replace(/\/+$/, '')}/api/oauth/token`;
  let response: { status: number; body: string };
  try {
    response = await io.exchange(url, tokenExchangeForm(login, idToken));
  } catch (err) {
    throw new LoginError(`Could not reach Pulumi Cloud's token endpoint ${url} (${firstLine(err)}): check 'backend-url' and the runner's connection to it.`);
  }
  const token = issuedToken(login, response);
  log.setSecret(token);
  log.info(`Logged in to Pulumi Cloud (${login.apiUrl}) with this job's ID token: ${describeToken(login)}.`);
  return cliCredentials(token, login.apiUrl);
}

function firstLine(err: unknown): string {
  return oneLine(
    (err instanceof Error ? err.message : String(err))
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? 'no message',
    MAX_DETAIL,
  );
}

/** Enough of Pulumi's or GitHub's words to act on. */
const MAX_DETAIL = 300;

/** Someone else's text, in a one-line message: control characters become spaces, and it ends at `max`. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * A constant script (it holds no token): answers the CLI's credential-helper request, on the
 * helper's own standard output (fd 1), with the token in the environment the CLI started it with.
 */
const CREDENTIAL_HELPER = `process.stdin.resume();process.stdin.on('end',()=>require('node:fs').writeSync(1,JSON.stringify({version:1,accessToken:process.env.PULUMI_ACCESS_TOKEN})))`;

/**
 * The environment of this step's CLI processes for the issued token. PULUMI_ACCESS_TOKEN alone would
 * do, but the CLI would then save the token in ~/.pulumi/credentials.json, as `pulumi login` does,
 * where later jobs on a self-hosted runner find it. A credential helper (PULUMI_CREDENTIAL_HELPER,
 * a program the CLI runs, without a shell, and whose answer it keeps in memory only) hands it over
 * instead: Node.js running the script above, its command line free of the token. PULUMI_BACKEND_URL
 * makes the backend the one that issued the token, also where the workflow named none.
 */
export function cliCredentials(token: string, apiUrl: string, node = process.execPath): Record<string, string> {
  return {
    PULUMI_ACCESS_TOKEN: token,
    PULUMI_BACKEND_URL: apiUrl,
    PULUMI_CREDENTIAL_HELPER: node,
    PULUMI_CREDENTIAL_HELPER_ARGS: JSON.stringify(['-e', CREDENTIAL_HELPER]),
  };
}
