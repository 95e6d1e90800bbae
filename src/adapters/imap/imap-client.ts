// imapflow wiring. Traps recorded here: imapflow does not reconnect by itself (on `close`,
// build a new client); `*` in a UID range means "the last message", so `last+1:*` returns
// the last message even when it is older than `last` — always filter UIDs on our side;
// never issue a command while iterating a `fetch` (use fetchAll, then act).
import { ImapFlow } from 'imapflow';
import type { ImapEndpoint } from '../../config/env.ts';
import { isLoopbackHost } from '../../shared/net.ts';

export function createImapClient(endpoint: ImapEndpoint): ImapFlow {
  return new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    auth: { user: endpoint.user, pass: endpoint.password },
    logger: false,
    // Dovecot on loopback in tests/demos has no TLS; a real server negotiates it.
    ...(isLoopbackHost(endpoint.host) ? { doSTARTTLS: false } : {}),
    emitLogs: false,
    maxIdleTime: 5 * 60_000,
  });
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
