// The refresh logic against a token endpoint started here (node:http): what is posted, when the
// token is reused and when it is refreshed, and how a refusal or an absent endpoint is reported.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOAuthTokenProvider, OAuthTokenError } from '../../src/adapters/oauth/oauth-token-provider.ts';
import type { OAuthClientConfig } from '../../src/config/mail-auth-env.ts';

interface Answer {
  status: number;
  body: unknown;
  delayMs?: number;
}

let server: Server;
let tokenUrl: string;
const requests: Record<string, string>[] = [];
let answers: Answer[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      requests.push(Object.fromEntries(new URLSearchParams(text)));
      const answer = answers.shift() ?? { status: 500, body: { error: 'no answer queued' } };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant/oauth2/v2.0/token`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests.length = 0;
  answers = [];
});

function testClock(startIso: string) {
  let now = new Date(startIso).getTime();
  return { now: () => new Date(now), advanceBy: (ms: number) => (now += ms) };
}

function config(overrides: Partial<OAuthClientConfig> = {}): OAuthClientConfig {
  return { provider: 'microsoft', tokenUrl, clientId: 'client-1', clientSecret: 'secret-1', refreshToken: 'refresh-1', scope: 'scope-a scope-b', ...overrides };
}

describe('OAuth2 token provider', () => {
  it('posts the refresh-token grant with the client, the secret and the scope', async () => {
    answers.push({ status: 200, body: { access_token: 'access-1', expires_in: 3600, token_type: 'Bearer' } });
    const clock = testClock('2025-03-03T09:00:00Z');
    const token = await createOAuthTokenProvider(config(), { clock }).accessToken();
    expect(requests).toEqual([{ grant_type: 'refresh_token', refresh_token: 'refresh-1', client_id: 'client-1', client_secret: 'secret-1', scope: 'scope-a scope-b' }]);
    expect(token).toEqual({ value: 'access-1', expiresAt: new Date('2025-03-03T10:00:00Z'), refreshAt: new Date('2025-03-03T09:55:00Z') });
  });

  it('sends neither secret nor scope when there is none (a public client, Google)', async () => {
    answers.push({ status: 200, body: { access_token: 'access-1', expires_in: '3599' } });
    await createOAuthTokenProvider(config({ clientSecret: null, scope: null })).accessToken();
    expect(requests).toEqual([{ grant_type: 'refresh_token', refresh_token: 'refresh-1', client_id: 'client-1' }]);
  });

  it('reuses the token until five minutes before it expires, then refreshes with the newest refresh token', async () => {
    answers.push({ status: 200, body: { access_token: 'access-1', expires_in: 3600, refresh_token: 'refresh-2' } });
    answers.push({ status: 200, body: { access_token: 'access-2', expires_in: 3600 } });
    const clock = testClock('2025-03-03T09:00:00Z');
    const provider = createOAuthTokenProvider(config(), { clock });
    expect((await provider.accessToken()).value).toBe('access-1');
    clock.advanceBy(54 * 60_000 + 59_000); // 09:54:59
    expect((await provider.accessToken()).value).toBe('access-1');
    expect(requests).toHaveLength(1);
    clock.advanceBy(1000); // 09:55:00
    expect((await provider.accessToken()).value).toBe('access-2');
    expect(requests.map((r) => r.refresh_token)).toEqual(['refresh-1', 'refresh-2']);
  });

  it('keeps half of a short-lived token’s lifetime as the margin', async () => {
    answers.push({ status: 200, body: { access_token: 'short', expires_in: 120 } });
    const clock = testClock('2025-03-03T09:00:00Z');
    expect((await createOAuthTokenProvider(config(), { clock }).accessToken()).refreshAt).toEqual(new Date('2025-03-03T09:01:00Z'));
  });

  it('asks once when many connections want a token at the same time', async () => {
    answers.push({ status: 200, body: { access_token: 'access-1', expires_in: 3600 }, delayMs: 50 });
    const provider = createOAuthTokenProvider(config());
    const tokens = await Promise.all([provider.accessToken(), provider.accessToken(), provider.accessToken()]);
    expect(tokens.map((t) => t.value)).toEqual(['access-1', 'access-1', 'access-1']);
    expect(requests).toHaveLength(1);
  });

  it('refreshes after the server refused the current token, but not for a token already replaced', async () => {
    answers.push({ status: 200, body: { access_token: 'access-1', expires_in: 3600 } });
    answers.push({ status: 200, body: { access_token: 'access-2', expires_in: 3600 } });
    const provider = createOAuthTokenProvider(config());
    await provider.accessToken();
    provider.refused('access-1');
    expect((await provider.accessToken()).value).toBe('access-2');
    provider.refused('access-1');
    expect((await provider.accessToken()).value).toBe('access-2');
    expect(requests).toHaveLength(2);
  });

  it('reports a refused grant as an authentication failure with the provider’s first line, and tries again on the next call', async () => {
    answers.push({ status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.\r\nTrace ID: 1' } });
    answers.push({ status: 200, body: { access_token: 'access-1', expires_in: 3600 } });
    const provider = createOAuthTokenProvider(config());
    const err = await provider.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthTokenError);
    expect(err).toMatchObject({
      oauthCode: 'oauth.grant_refused',
      authenticationFailed: true,
      message: 'OAuth2 microsoft refused the refresh token (invalid_grant: AADSTS70008: The provided authorization code or refresh token has expired.)',
    });
    expect((await provider.accessToken()).value).toBe('access-1');
  });

  it('reports a server error of the endpoint without calling it an authentication failure', async () => {
    answers.push({ status: 503, body: 'unavailable' });
    const err = await createOAuthTokenProvider(config()).accessToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ oauthCode: 'oauth.token_endpoint_failed', authenticationFailed: false });
    expect((err as Error).message).toMatch(/^OAuth2 token endpoint 127\.0\.0\.1:\d+ answered 503 \(HTTP 503\)$/);
  });

  it('reports an answer without an access token', async () => {
    answers.push({ status: 200, body: { token_type: 'Bearer' } });
    await expect(createOAuthTokenProvider(config()).accessToken()).rejects.toMatchObject({ oauthCode: 'oauth.token_endpoint_failed' });
  });

  it('reports an endpoint that refuses connections with the socket’s code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await createOAuthTokenProvider(config({ tokenUrl: `http://127.0.0.1:${port}/token` })).accessToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ oauthCode: 'oauth.token_endpoint_unreachable', code: 'ECONNREFUSED', authenticationFailed: false });
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    answers.push({ status: 200, body: { access_token: 'late', expires_in: 3600 }, delayMs: 500 });
    const err = await createOAuthTokenProvider(config(), { requestTimeoutMs: 100 }).accessToken().catch((e: unknown) => e);
    expect(err).toMatchObject({ oauthCode: 'oauth.token_endpoint_unreachable', code: 'ETIMEDOUT' });
    expect((err as Error).message).toMatch(/did not answer within 0\.1 s$/);
  });
});
