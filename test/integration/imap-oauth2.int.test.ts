// IMAP with OAuth2 end to end: a Dovecot of this test's own that accepts only XOAUTH2 and asks a
// token endpoint started here whether a token is valid (its `oauth2` passdb, introspection over
// HTTP), and the IMAP client of the bot, which gets its token from the same endpoint by the
// refresh-token grant. The shared Dovecot of scripts/services.sh accepts passwords only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapClient } from '../../src/adapters/imap/imap-client.ts';
import { createOAuthTokenProvider } from '../../src/adapters/oauth/oauth-token-provider.ts';
import { freePort } from '../support/private-services.ts';
import { waitFor } from '../support/mail.ts';

const IS_ROOT = process.getuid?.() === 0;
const user = 'support@oauth.example';
let dir: string;
let dovecot: ChildProcess;
let imapPort: number;
let endpoint: Server;
let endpointUrl: string;
/** access tokens issued, by value: the user they belong to, or null once revoked */
const issued = new Map<string, string | null>();
const introspected: string[] = [];
let refreshes = 0;

function userOf(name: string): string {
  return spawnSync('id', ['-u', name]).status === 0 ? name : 'nobody';
}

beforeAll(async () => {
  endpoint = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(text);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/token') {
        refreshes += 1;
        const token = `access-${refreshes}`;
        issued.set(token, user);
        return res.end(JSON.stringify({ access_token: token, expires_in: 3600 }));
      }
      // introspection (RFC 7662): Dovecot posts token=…
      const token = form.get('token') ?? '';
      introspected.push(token);
      const owner = issued.get(token);
      res.end(JSON.stringify(owner ? { active: true, username: owner } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;

  dir = mkdtempSync(path.join(tmpdir(), 'helpdesk-dovecot-oauth-'));
  chmodSync(dir, 0o755);
  const mail = path.join(dir, 'mail');
  mkdirSync(mail);
  const [uid, gid] = IS_ROOT ? [65534, 65534] : [process.getuid!(), process.getgid!()];
  chownSync(mail, uid, gid);
  imapPort = await freePort();
  const loginUser = IS_ROOT ? userOf('dovenull') : spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  const internalUser = IS_ROOT ? userOf('dovecot') : loginUser;
  writeFileSync(
    path.join(dir, 'oauth2.conf.ext'),
    [`introspection_mode = post`, `introspection_url = ${endpointUrl}/introspect`, `username_attribute = username`, `active_attribute = active`, `active_value = true`, ''].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `instance_name = helpdesk-oauth-${path.basename(dir)}
base_dir = ${dir}/run
state_dir = ${dir}/state
protocols = imap
listen = 127.0.0.1
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = xoauth2 oauthbearer
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
first_valid_uid = ${uid}
${IS_ROOT ? '' : `service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n`}service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${mail}/%d/%n allow_all_users=yes
}
mail_location = maildir:~/Maildir
`,
  );
  dovecot = spawn('dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  await waitFor(
    'the private Dovecot to greet',
    async () => {
      const probe = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${imapPort} && head -c 4 <&3`], { encoding: 'utf8', timeout: 2000 });
      return probe.stdout.startsWith('* OK');
    },
    20_000,
  );
});

afterAll(async () => {
  dovecot?.kill('SIGTERM');
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('IMAP with OAuth2 (Dovecot, XOAUTH2)', () => {
  it('logs in with an access token from the refresh-token grant, and each new client reuses it while valid', async () => {
    const tokens = createOAuthTokenProvider({ provider: 'google', tokenUrl: `${endpointUrl}/token`, clientId: 'c', clientSecret: 's', refreshToken: 'r', scope: null });
    const login = { secure: false, host: '127.0.0.1', port: imapPort, user, password: '', mailbox: 'INBOX', oauth2: tokens };
    for (let i = 0; i < 2; i++) {
      const client = createImapClient(login);
      client.on('error', () => undefined);
      await client.connect();
      expect(client.authenticated).toBe(true);
      await client.mailboxCreate('Processed');
      await client.logout();
    }
    expect(refreshes).toBe(1);
    expect(introspected).toEqual(['access-1', 'access-1']);
  });

  it('after the server refuses a revoked token, the next client logs in with a new one', async () => {
    const tokens = createOAuthTokenProvider({ provider: 'google', tokenUrl: `${endpointUrl}/token`, clientId: 'c', clientSecret: 's', refreshToken: 'r', scope: null });
    const login = { secure: false, host: '127.0.0.1', port: imapPort, user, password: '', mailbox: 'INBOX', oauth2: tokens };
    const first = await tokens.accessToken();
    issued.set(first.value, null); // revoked at the provider before it expires
    const refusedClient = createImapClient(login);
    refusedClient.on('error', () => undefined);
    await expect(refusedClient.connect()).rejects.toMatchObject({ authenticationFailed: true });
    const next = createImapClient(login);
    next.on('error', () => undefined);
    await next.connect();
    expect(next.options.auth?.accessToken).not.toBe(first.value);
    await next.logout();
  });
});
