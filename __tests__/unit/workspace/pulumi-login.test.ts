// The OIDC login's decisions: what the token exchange asks for, what Pulumi's answer means, the
// errors that say what to do, and what this step's CLI processes get (the token in their
// environment, a credential helper so the CLI keeps it in memory).
import { describe, expect, it, jest } from '@jest/globals';
import { cliCredentials, issuedToken, LoginError, oidcLogin, tokenExchangeForm, type LoginIo } from '../../../src/workspace/pulumi-login.js';
import type { OidcLogin } from '../../../src/model/settings.js';

const ORG: OidcLogin = { org: 'acme', tokenType: 'organization', apiUrl: 'https://api.pulumi.com' };
const TEAM: OidcLogin = { org: 'acme', tokenType: 'team', scope: 'team:deployers', expirationSeconds: 1800, apiUrl: 'https://api.pulumi.acme.com/' };
const JOB = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner/idtoken?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' };

describe('tokenExchangeForm', () => {
  it("asks as Pulumi documents it, and as its CLI does: the org's audience, the token type, scope and expiration only when asked", () => {
    expect(tokenExchangeForm(ORG, 'id.token.jwt')).toEqual({
      audience: 'urn:pulumi:org:acme',
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      subject_token: 'id.token.jwt',
      requested_token_type: 'urn:pulumi:token-type:access_token:organization',
    });
    expect(tokenExchangeForm(TEAM, 'jwt')).toMatchObject({ requested_token_type: 'urn:pulumi:token-type:access_token:team', scope: 'team:deployers', expiration: '1800' });
  });
});

describe('issuedToken', () => {
  it('takes the access token of a 200', () => {
    expect(issuedToken(ORG, { status: 200, body: '{"access_token":"pul-1","token_type":"Bearer"}' })).toBe('pul-1');
  });

  it("refuses with Pulumi's own words, one line, and where the trust policy is set", () => {
    const body = JSON.stringify({ error: 'invalid_grant', error_description: 'no policy\nmatches ::error::x' });
    expect(() => issuedToken(TEAM, { status: 401, body })).toThrow(LoginError);
    expect(() => issuedToken(TEAM, { status: 401, body })).toThrow(
      "Pulumi Cloud refused to exchange this job's ID token for a team token (team:deployers) in 'acme' (401: invalid_grant: no policy matches ::error::x): check the organization's OIDC issuer for GitHub Actions and its authorization policies in Pulumi Cloud (Settings > Access Management > OIDC Issuers)",
    );
    expect(() => issuedToken(ORG, { status: 502, body: `<html>${'x'.repeat(1000)}</html>` })).toThrow(/\(502: <html>x{294}…\)/);
    expect(() => issuedToken(ORG, { status: 200, body: '{}' })).toThrow(
      "The token exchange at https://api.pulumi.com answered without an access token: check that 'backend-url' is Pulumi Cloud's API",
    );
  });
});

describe('oidcLogin', () => {
  const io = (overrides: Partial<LoginIo> = {}): LoginIo & { asked: string[]; posted: [string, Record<string, string>][] } => {
    const asked: string[] = [];
    const posted: [string, Record<string, string>][] = [];
    return {
      asked,
      posted,
      idToken: async (audience) => (asked.push(audience), 'the.id.token'),
      exchange: async (url, form) => (posted.push([url, form]), { status: 200, body: '{"access_token":"pul-issued"}' }),
      ...overrides,
    };
  };

  it("asks the runner for the org's audience, exchanges at the backend's token endpoint, and hands the CLI the token", async () => {
    const calls = io();
    const env = await oidcLogin(TEAM, JOB, calls);
    expect(calls.asked).toEqual(['urn:pulumi:org:acme']);
    expect(calls.posted).toEqual([['https://api.pulumi.acme.com/api/oauth/token', expect.objectContaining({ subject_token: 'the.id.token', scope: 'team:deployers' })]]);
    expect(env).toEqual(cliCredentials('pul-issued', TEAM.apiUrl));
  });

  it('says the job lacks id-token: write, before asking anyone, when the runner gave it no ID token', async () => {
    const calls = io();
    await expect(oidcLogin(ORG, {}, calls)).rejects.toThrow("GitHub gave this job no ID token to log in to Pulumi Cloud with ('oidc-login'): give the job 'permissions: id-token: write'.");
    expect(calls.asked).toEqual([]);
  });

  it('says what failed where the runner or Pulumi Cloud could not be reached', async () => {
    await expect(oidcLogin(ORG, JOB, io({ idToken: () => Promise.reject(new Error('Failed to get ID Token.\n Error Code : 403')) }))).rejects.toThrow(
      "GitHub gave this job no ID token for urn:pulumi:org:acme (Failed to get ID Token.): give the job 'permissions: id-token: write'.",
    );
    await expect(oidcLogin(ORG, JOB, io({ exchange: () => Promise.reject(new Error('getaddrinfo ENOTFOUND api.pulumi.com')) }))).rejects.toThrow(
      "Could not reach Pulumi Cloud's token endpoint https://api.pulumi.com/api/oauth/token (getaddrinfo ENOTFOUND api.pulumi.com): check 'backend-url' and the runner's connection to it.",
    );
  });
});

describe('cliCredentials', () => {
  it('gives the token in the environment only, with a credential helper whose command line holds no token', () => {
    const env = cliCredentials('pul-secret-token', 'https://api.pulumi.com', '/runner/node24/bin/node');
    expect(env).toMatchObject({ PULUMI_ACCESS_TOKEN: 'pul-secret-token', PULUMI_BACKEND_URL: 'https://api.pulumi.com', PULUMI_CREDENTIAL_HELPER: '/runner/node24/bin/node' });
    expect(env.PULUMI_CREDENTIAL_HELPER_ARGS).not.toContain('pul-secret-token');
    expect(JSON.parse(env.PULUMI_CREDENTIAL_HELPER_ARGS!)[0]).toBe('-e');
  });

  it("answers the CLI's credential-helper request with the token from its environment", async () => {
    const { execFileSync } = await import('node:child_process');
    const env = cliCredentials('pul-from-env', 'https://api.pulumi.com');
    const answer = execFileSync(env.PULUMI_CREDENTIAL_HELPER!, JSON.parse(env.PULUMI_CREDENTIAL_HELPER_ARGS!), {
      input: '{"version":1,"reason":"initial","selectedBackendUrl":"https://api.pulumi.com"}',
      env: { PULUMI_ACCESS_TOKEN: env.PULUMI_ACCESS_TOKEN },
      encoding: 'utf8',
    });
    expect(JSON.parse(answer)).toEqual({ version: 1, accessToken: 'pul-from-env' });
  });
});

jest.setTimeout(10_000);
