// imapflow wiring. Traps recorded here: imapflow does not reconnect by itself (on `close`,
// build a new client); `*` in a UID range means "the last message", so `last+1:*` returns
// the last message even when it is older than `last` — always filter UIDs on our side;
// never issue a command while iterating a `fetch` (use fetchAll, then act).
// OAuth2: imapflow takes a fixed `auth.accessToken`, and an ImapFlow connects only once, so the
// token is fetched in connect() of each new client; the pollers build a new client for every
// reconnect, which thus logs in with a token that is valid for a while yet.
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ImapEndpoint } from '../../config/env.ts';
import { isLoopbackHost } from '../../shared/net.ts';
import type { AccessTokenSource } from '../oauth/oauth-token-provider.ts';

/** A mailbox and how to log in to it: the URL's password, or OAuth2 tokens when `oauth2` is set. */
export type ImapLogin = ImapEndpoint & { oauth2?: AccessTokenSource | null };

export interface ImapClientOptions {
  /** connecting, TLS and the greeting together get this long (imapflow's default is 90 s) */
  connectionTimeoutMs?: number;
}

/** The options handed to imapflow; `auth` is completed with a token in connect() under OAuth2. */
export function imapClientOptions(login: ImapLogin, options: ImapClientOptions = {}): ImapFlowOptions {
  return {
    host: login.host,
    port: login.port,
    secure: login.secure,
    auth: login.oauth2 ? { user: login.user } : { user: login.user, pass: login.password },
    logger: false,
    // Dovecot on loopback in tests/demos has no TLS; a real server negotiates it.
    ...(isLoopbackHost(login.host) ? { doSTARTTLS: false } : {}),
    ...(options.connectionTimeoutMs === undefined ? {} : { connectionTimeout: options.connectionTimeoutMs, greetingTimeout: options.connectionTimeoutMs }),
    emitLogs: false,
    maxIdleTime: 5 * 60_000,
  };
}

/** An ImapFlow that fetches an OAuth2 access token before it connects, and reports a refused one. */
class OAuthImapFlow extends ImapFlow {
  readonly #tokens: AccessTokenSource;

  constructor(options: ImapFlowOptions, tokens: AccessTokenSource) {
    super(options);
    this.#tokens = tokens;
  }

  override async connect(): Promise<void> {
    const token = await this.#tokens.accessToken();
    this.options.auth = { ...this.options.auth!, accessToken: token.value };
    try {
      await super.connect();
    } catch (err) {
      // A revoked token is refused before it expires: the next client must not get it again.
      if ((err as { authenticationFailed?: boolean }).authenticationFailed) this.#tokens.refused(token.value);
      throw err;
    }
  }
}

export function createImapClient(login: ImapLogin, options: ImapClientOptions = {}): ImapFlow {
  const flowOptions = imapClientOptions(login, options);
  return login.oauth2 ? new OAuthImapFlow(flowOptions, login.oauth2) : new ImapFlow(flowOptions);
}

/** Creates the folder if it is missing; an existing folder is fine. */
export async function ensureFolder(client: ImapFlow, path: string): Promise<void> {
  const list = await client.list();
  if (list.some((entry) => entry.path === path)) return;
  try {
    await client.mailboxCreate(path);
  } catch (err) {
    const code = (err as { serverResponseCode?: string }).serverResponseCode;
    if (code !== 'ALREADYEXISTS') throw err;
  }
}
