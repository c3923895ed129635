/**
 * GitHub's OIDC token service for the tests. The runner's side: a job with `permissions: id-token:
 * write` gets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, and `GET
 * <url>&audience=<audience>` with the request token as a bearer token answers `{"value": <jwt>}`
 * (what @actions/core's getIDToken reads). The relying party's side: the issuer's OpenID discovery
 * document and key set, from which Pulumi Cloud (its stand-in) checks the token. Tokens are RS256
 * JWTs with the claims GitHub documents ("OpenID Connect reference": sub, aud, iss, repository,
 * ref, environment, run_id, …), for the run the test describes; the issuer is this server's URL.
 */
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ThrowawayCertificate } from './tls.js';

/** The run a token describes: GitHub's custom claims, as strings. */
export interface RunClaims {
  repository: string;
  ref: string;
  sha: string;
  actor: string;
  workflow: string;
  event_name: string;
  run_id: string;
  /** The job's environment, if it has one: it then names the subject. */
  environment?: string;
}

export interface IdTokenService {
  /** The issuer (`iss`), whose discovery document is at /.well-known/openid-configuration. */
  url: string;
  /** What the runner gives a job with `permissions: id-token: write`. */
  jobEnv: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string };
  /** Every token issued: its audience and the token. */
  issued: { audience: string; token: string }[];
  close(): Promise<void>;
}

export async function startIdTokenService(options: { tls: ThrowawayCertificate; run: RunClaims }): Promise<IdTokenService> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const requestToken = randomBytes(24).toString('hex');
  const issued: IdTokenService['issued'] = [];
  let url = '';
  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const request = new URL(req.url ?? '/', url);
    if (request.pathname === '/.well-known/openid-configuration') {
      return reply(200, { issuer: url, jwks_uri: `${url}/.well-known/jwks`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (request.pathname === '/.well-known/jwks') {
      return reply(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    }
    if (request.pathname === '/idtoken' && req.method === 'GET') {
      if (req.headers.authorization !== `Bearer ${requestToken}`) return reply(401, { message: 'Bad credentials' });
      const audience = request.searchParams.get('audience') ?? `https://github.com/${options.run.repository.split('/')[0]}`;
      const token = sign(url, audience, options.run, kid, privateKey);
      issued.push({ audience, token });
      return reply(200, { count: issued.length, value: token });
    }
    reply(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jobEnv: { ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/idtoken?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken },
    issued,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function sign(issuer: string, audience: string, run: RunClaims, kid: string, key: Parameters<ReturnType<typeof createSign>['sign']>[0]): string {
  const now = Math.floor(Date.now() / 1000);
  const [owner] = run.repository.split('/');
  // GitHub's default subject: the environment where the job has one, else the ref.
  const sub = run.environment ? `repo:${run.repository}:environment:${run.environment}` : `repo:${run.repository}:ref:${run.ref}`;
  const claims = {
    jti: randomUUID(),
    sub,
    ...(run.environment ? { environment: run.environment } : {}),
    aud: audience,
    ref: run.ref,
    sha: run.sha,
    repository: run.repository,
    repository_owner: owner,
    repository_visibility: 'private',
    run_id: run.run_id,
    run_number: '1',
    run_attempt: '1',
    runner_environment: 'github-hosted',
    actor: run.actor,
    workflow: run.workflow,
    head_ref: '',
    base_ref: '',
    event_name: run.event_name,
    ref_type: 'branch',
    job_workflow_ref: `${run.repository}/.github/workflows/${run.workflow}.yml@${run.ref}`,
    iss: issuer,
    nbf: now - 5,
    exp: now + 300,
    iat: now,
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ typ: 'JWT', alg: 'RS256', kid })}.${encode(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
}
