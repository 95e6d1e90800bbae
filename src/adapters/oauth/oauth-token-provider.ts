// OAuth2 access tokens for the IMAP and SMTP logins (Microsoft identity platform, Google), from a
// refresh token by the refresh-token grant (RFC 6749 §6). One provider serves every connection:
// the token is cached until shortly before it expires and refreshed on demand, one request at a
// time however many connections ask at once.
// Traps: Microsoft answers a refresh with a NEW refresh token; the old one keeps working until its
// own lifetime ends (90 days), so the newest is kept in memory and used next, and a restart goes
// back to the one in the environment. `expires_in` is in seconds and may come as a string.
import type { OAuthClientConfig } from '../../config/mail-auth-env.ts';
import type { Clock } from '../../shared/clock.ts';
import { systemClock } from '../../shared/clock.ts';

export interface AccessToken {
  value: string;
  /** when the provider says it stops working */
  expiresAt: Date;
  /** when this provider stops handing it out and refreshes instead (a margin before expiresAt) */
  refreshAt: Date;
}

/** What a mail client needs of OAuth2: a token for its next login, and a way to report a refused one. */
export interface AccessTokenSource {
  accessToken(): Promise<AccessToken>;
  /** the server refused this token: unless it was already replaced, the next accessToken() refreshes */
  refused(token: string): void;
}

export type OAuthTokenErrorCode = 'oauth.grant_refused' | 'oauth.token_endpoint_failed' | 'oauth.token_endpoint_unreachable';

/**
 * A refresh that failed. `authenticationFailed` is set when the provider refused the grant (a
 * revoked or expired refresh token, a wrong client secret), so health and `helpdesk check`
 * classify it like a refused password; `code` of an unreachable endpoint is the socket's code.
 */
export class OAuthTokenError extends Error {
  readonly oauthCode: OAuthTokenErrorCode;
  readonly authenticationFailed: boolean;
  /** the socket error code (ECONNREFUSED, ENOTFOUND…) or ETIMEDOUT, when the endpoint was not reached */
  readonly code: string | undefined;

  constructor(oauthCode: OAuthTokenErrorCode, message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthTokenError';
    this.oauthCode = oauthCode;
    this.authenticationFailed = oauthCode === 'oauth.grant_refused';
    this.code = options.code;
  }
}

export interface OAuthTokenProviderOptions {
  clock?: Clock;
  /** a token is refreshed this long before it expires (at most half its lifetime). @defaultValue 300000 */
  refreshMarginMs?: number;
  /** one token request gets this long. @defaultValue 15000 */
  requestTimeoutMs?: number;
}

/** The OAuth2 error codes (RFC 6749 §5.2) that mean "these credentials will not work": no retry helps. */
const REFUSED_GRANT_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type']);

export function createOAuthTokenProvider(config: OAuthClientConfig, options: OAuthTokenProviderOptions = {}): AccessTokenSource {
  const clock = options.clock ?? systemClock;
  const marginMs = options.refreshMarginMs ?? 5 * 60_000;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  let refreshToken = config.refreshToken;
  let cached: AccessToken | null = null;
  let inFlight: Promise<AccessToken> | null = null;

  async function requestToken(): Promise<AccessToken> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: config.clientId });
    if (config.clientSecret !== null) form.set('client_secret', config.clientSecret);
    if (config.scope !== null) form.set('scope', config.scope);
    const host = new URL(config.tokenUrl).host;
    let response: Response;
    try {
      response = await fetch(config.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') {
        throw new OAuthTokenError('oauth.token_endpoint_unreachable', `OAuth2 token endpoint ${host} did not answer within ${timeoutMs / 1000} s`, { code: 'ETIMEDOUT', cause: err });
      }
      const code = e.cause?.code;
      throw new OAuthTokenError('oauth.token_endpoint_unreachable', `OAuth2 token endpoint ${host} unreachable: ${code ?? e.cause?.message ?? String(err)}`, { code, cause: err });
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      if (response.ok) throw new OAuthTokenError('oauth.token_endpoint_failed', `OAuth2 token endpoint ${host} answered ${response.status} with no JSON`, { cause: err });
    }
    if (!response.ok) {
      const error = typeof body.error === 'string' ? body.error : null;
      // Microsoft's description starts with an AADSTS code and ends with trace ids: the first line is the useful part.
      const description = typeof body.error_description === 'string' ? body.error_description.split(/\r?\n/)[0] : null;
      const detail = [error, description].filter(Boolean).join(': ') || `HTTP ${response.status}`;
      if (error && REFUSED_GRANT_ERRORS.has(error)) {
        throw new OAuthTokenError('oauth.grant_refused', `OAuth2 ${config.provider} refused the refresh token (${detail})`);
      }
      throw new OAuthTokenError('oauth.token_endpoint_failed', `OAuth2 token endpoint ${host} answered ${response.status} (${detail})`);
    }
    const value = body.access_token;
    const expiresInSeconds = Number(body.expires_in);
    if (typeof value !== 'string' || value === '') throw new OAuthTokenError('oauth.token_endpoint_failed', `OAuth2 token endpoint ${host} answered without an access_token`);
    // RFC 6749 makes expires_in optional; Microsoft and Google always send it. Without it, assume an hour.
    const lifetimeMs = Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds * 1000 : 3_600_000;
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') refreshToken = body.refresh_token;
    const now = clock.now().getTime();
    return { value, expiresAt: new Date(now + lifetimeMs), refreshAt: new Date(now + lifetimeMs - Math.min(marginMs, lifetimeMs / 2)) };
  }

  return {
    accessToken() {
      if (cached && clock.now().getTime() < cached.refreshAt.getTime()) return Promise.resolve(cached);
      // Every caller during a refresh waits for the same request.
      inFlight ??= requestToken()
        .then((token) => (cached = token))
        .finally(() => (inFlight = null));
      return inFlight;
    },
    refused(token) {
      if (cached?.value === token) cached = null;
    },
  };
}
