// `helpdesk check` as an operator runs it, against the local services: one line per server, the
// cause of each failure in words, and the exit code. The OAuth2 cases use a token endpoint and an
// SMTP server (smtp-server, as the local relay) started here that accept only XOAUTH2.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../support/bot-process.ts';
import { freePort } from '../support/private-services.ts';
import { createTestDatabase, testEnv, uniqueSuffix } from '../support/services.ts';

const env = testEnv();
const imapBase = `127.0.0.1:${new URL(env.imapUrl.split(/[\s,]+/)[0]!).port}`;
const mailbox = `check-${uniqueSuffix()}@trinax.example`;
const imapUrl = `imap://${encodeURIComponent(mailbox)}:test@${imapBase}/INBOX`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

/** Runs the CLI without blocking this process, which serves the token endpoint and the SMTP server. */
function check(overrides: Record<string, string>, args: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'check', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: database.url, IMAP_URL: imapUrl, ...overrides }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function lineOf(stdout: string, server: string): string {
  const line = stdout.split('\n').find((l) => l.slice(6).startsWith(server));
  if (!line) throw new Error(`no ${server} line in:\n${stdout}`);
  return line;
}

// A token endpoint: refresh token "good-refresh" gets "access-1", anything else is refused.
let tokenServer: Server;
let tokenUrl: string;
// An SMTP server that accepts XOAUTH2 with "access-1" only.
let xoauthSmtp: SMTPServer;
let xoauthSmtpPort: number;
const smtpLogins: { user: string | undefined; accessToken: string | undefined }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  tokenServer = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      res.writeHead(form.get('refresh_token') === 'good-refresh' ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(form.get('refresh_token') === 'good-refresh' ? { access_token: 'access-1', expires_in: 3599, token_type: 'Bearer' } : { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }));
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
  xoauthSmtpPort = await freePort();
  xoauthSmtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    allowInsecureAuth: true,
    authMethods: ['XOAUTH2'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      smtpLogins.push({ user: auth.username, accessToken: auth.accessToken });
      if (auth.accessToken === 'access-1') return callback(null, { user: auth.username });
      return callback(null, { data: { status: '401', schemes: 'bearer' } });
    },
  });
  await new Promise<void>((resolve) => xoauthSmtp.listen(xoauthSmtpPort, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => xoauthSmtp.close(() => resolve()));
  await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
  await database.drop();
});

describe('helpdesk check', () => {
  it('says ok for every server of the local services, creates the folders once, and exits 0', async () => {
    const first = await check({});
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(4);
    expect(lineOf(first.stdout, 'postgres')).toMatch(/^ok {4}postgres 127\.0\.0\.1:\d+\/hd_test_\w+: connected, \d+ migrations applied$/);
    expect(lineOf(first.stdout, 'redis')).toMatch(/^ok {4}redis {4}127\.0\.0\.1:\d+: PING PONG$/);
    expect(lineOf(first.stdout, 'imap')).toBe(`ok    imap     ${mailbox} at ${imapBase}: logged in, INBOX has 0 messages, Processed and Quarantine created`);
    expect(lineOf(first.stdout, 'smtp')).toMatch(/^ok {4}smtp {5}127\.0\.0\.1:\d+: connected, EHLO accepted \(no login configured\)$/);
    const second = await check({});
    expect(lineOf(second.stdout, 'imap')).toBe(`ok    imap     ${mailbox} at ${imapBase}: logged in, INBOX has 0 messages, Processed and Quarantine exist`);
  });

  it('answers in JSON with the cause of each failure', async () => {
    const smtpPort = await freePort();
    const r = await check({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }, ['--json']);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: { server: string; ok: boolean; cause: string | null; message: string; target: string }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.server, c.ok, c.cause])).toEqual([
      ['postgres', true, null],
      ['redis', true, null],
      ['imap', true, null],
      ['smtp', false, 'connection refused'],
    ]);
    expect(report.checks[3]).toMatchObject({ target: `127.0.0.1:${smtpPort}`, message: 'connection refused' });
  });

  it('says "connection refused" for closed ports and exits 4 when no server could be reached', async () => {
    const [redisPort, smtpPort] = [await freePort(), await freePort()];
    const r = await check({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
    expect(lineOf(r.stdout, 'redis')).toBe(`FAIL  redis    127.0.0.1:${redisPort}: connection refused`);
    expect(lineOf(r.stdout, 'smtp')).toBe(`FAIL  smtp     127.0.0.1:${smtpPort}: connection refused`);
    expect(lineOf(r.stdout, 'postgres')).toMatch(/^ok /);
    expect(r.status).toBe(4);
  });

  it('says when the database is not migrated, and exits 1', async () => {
    const name = `hd_check_${uniqueSuffix()}`;
    const admin = postgres(env.databaseUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    try {
      const url = new URL(env.databaseUrl);
      url.pathname = `/${name}`;
      const r = await check({ DATABASE_URL: url.toString() });
      expect(lineOf(r.stdout, 'postgres')).toMatch(/^FAIL {2}postgres 127\.0\.0\.1:\d+\/hd_check_\w+: database not migrated \(0 of \d+ migrations applied\): run `helpdesk migrate`$/);
      expect(r.status).toBe(1);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('logs in to SMTP with an OAuth2 access token from the token endpoint', async () => {
    smtpLogins.length = 0;
    const r = await check({
      SMTP_URL: `smtp://support%40trinax.example@127.0.0.1:${xoauthSmtpPort}`,
      SMTP_AUTH: 'oauth2',
      OAUTH_PROVIDER: 'google',
      OAUTH_CLIENT_ID: 'client-1',
      OAUTH_CLIENT_SECRET: 'secret-1',
      OAUTH_REFRESH_TOKEN: 'good-refresh',
      OAUTH_TOKEN_URL: tokenUrl,
    });
    expect(lineOf(r.stdout, 'smtp')).toBe(`ok    smtp     support@trinax.example at 127.0.0.1:${xoauthSmtpPort}: connected, EHLO and login with OAuth2 accepted`);
    expect(smtpLogins).toEqual([{ user: 'support@trinax.example', accessToken: 'access-1' }]);
    expect(r.status).toBe(0);
  });

  it('says "authentication failed" with the provider’s words when the refresh token is refused, for IMAP and SMTP', async () => {
    const r = await check({
      IMAP_URL: `imap://${encodeURIComponent(mailbox)}@${imapBase}/INBOX`,
      IMAP_AUTH: 'oauth2',
      SMTP_URL: `smtp://support%40trinax.example@127.0.0.1:${xoauthSmtpPort}`,
      SMTP_AUTH: 'oauth2',
      OAUTH_PROVIDER: 'google',
      OAUTH_CLIENT_ID: 'client-1',
      OAUTH_CLIENT_SECRET: 'secret-1',
      OAUTH_REFRESH_TOKEN: 'revoked-refresh',
      OAUTH_TOKEN_URL: tokenUrl,
    });
    const refused = 'authentication failed: OAuth2 google refused the refresh token (invalid_grant: Token has been expired or revoked.)';
    expect(lineOf(r.stdout, 'imap')).toBe(`FAIL  imap     ${mailbox} at ${imapBase}: ${refused}`);
    expect(lineOf(r.stdout, 'smtp')).toBe(`FAIL  smtp     support@trinax.example at 127.0.0.1:${xoauthSmtpPort}: ${refused}`);
    expect(r.status).toBe(1);
  });

  // Last: Dovecot delays the next logins from an address after a failed one.
  it('says "authentication failed" for a wrong IMAP password, and exits 1', async () => {
    const r = await check({ IMAP_URL: `imap://${encodeURIComponent(mailbox)}:wrong@${imapBase}/INBOX` }, ['--timeout', '20']);
    expect(lineOf(r.stdout, 'imap')).toBe(`FAIL  imap     ${mailbox} at ${imapBase}: authentication failed`);
    expect(r.status).toBe(1);
  });
});
