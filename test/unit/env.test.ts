import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv, parseEnvFile, parseImapUrl, parseSmtpUrl } from '../../src/config/env.ts';
import { problemsOf } from '../support/errors.ts';

// A directory with no .services/env above it, so only `source` counts.
const bare = mkdtempSync(path.join(tmpdir(), 'helpdesk-env-'));

const valid = {
  DATABASE_URL: 'postgres://u:p@db:5432/helpdesk',
  REDIS_URL: 'redis://cache:6379',
  IMAP_URL: 'imaps://support%40acme.example:s3cret@mail.acme.example/INBOX',
  SMTP_URL: 'smtp://relay.acme.example:587',
  HELPDESK_SECRET: 'a-long-enough-secret-value',
};

describe('loadEnv', () => {
  it('reads a complete environment and decodes the IMAP user and password', () => {
    const env = loadEnv({ source: valid, cwd: bare, requireSecret: true });
    expect(env.imap).toEqual({ secure: true, host: 'mail.acme.example', port: 993, user: 'support@acme.example', password: 's3cret', mailbox: 'INBOX' });
    expect(env.smtp).toEqual({ secure: false, host: 'relay.acme.example', port: 587, user: null, password: null });
    expect(env.contractsFile).toBe('./contracts.yaml');
    expect(env.logLevel).toBe('info');
    expect(env.insecureSecret).toBe(false);
  });

  it('names every missing or malformed variable at once', () => {
    const problems = problemsOf(() => loadEnv({ source: { DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }, cwd: bare }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATABASE_URL: must be a postgres:// URL',
        expect.stringMatching(/^REDIS_URL: /),
        expect.stringMatching(/^IMAP_URL: /),
        expect.stringMatching(/^SMTP_URL: /),
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
  });

  it('takes several reply-token secrets during a rotation: the first signs, all verify', () => {
    const listed = loadEnv({ source: { ...valid, HELPDESK_SECRET: 'new-secret-0123456789, a-long-enough-secret-value' }, cwd: bare });
    expect(listed.secrets).toEqual(['new-secret-0123456789', 'a-long-enough-secret-value']);
    expect(listed.secret).toBe('new-secret-0123456789,a-long-enough-secret-value');
    const previous = loadEnv({ source: { ...valid, HELPDESK_PREVIOUS_SECRETS: 'old-secret-0123456789,a-long-enough-secret-value' }, cwd: bare });
    expect(previous.secrets).toEqual(['a-long-enough-secret-value', 'old-secret-0123456789']);
    expect(problemsOf(() => loadEnv({ source: { ...valid, HELPDESK_SECRET: 'new-secret-0123456789,short' }, cwd: bare }))).toEqual([
      'HELPDESK_SECRET: each secret must be at least 16 characters (several are separated by commas)',
    ]);
  });

  it('requires HELPDESK_SECRET when asked to, unless the development secret is allowed explicitly', () => {
    const { HELPDESK_SECRET: _unused, ...withoutSecret } = valid;
    expect(problemsOf(() => loadEnv({ source: withoutSecret, cwd: bare, requireSecret: true }))).toEqual([
      'HELPDESK_SECRET: is required (a random string of 16+ characters; it keys the reply-address tokens)',
    ]);
    const dev = loadEnv({ source: { ...withoutSecret, HELPDESK_ALLOW_DEV_SECRET: '1' }, cwd: bare, requireSecret: true });
    expect(dev.insecureSecret).toBe(true);
  });

  it('rejects an IMAP URL of another scheme with the variable named', () => {
    expect(problemsOf(() => loadEnv({ source: { ...valid, IMAP_URL: 'pop3://a:b@c/INBOX' }, cwd: bare }))).toEqual([
      'IMAP_URL: must start with imap:// or imaps://',
    ]);
  });
});

describe('connection URL parsing', () => {
  it('defaults ports by scheme', () => {
    expect(parseImapUrl('imap://u:p@h').port).toBe(143);
    expect(parseSmtpUrl('smtps://u:p@h').port).toBe(465);
  });

  it('reads KEY=value lines and ignores comments and blanks', () => {
    expect(parseEnvFile('# note\nA=1\n\nB = "two words"\nnot a line\n')).toEqual({ A: '1', B: 'two words' });
  });
});

describe('several service mailboxes', () => {
  it('reads one IMAP endpoint per URL listed in IMAP_URL', () => {
    const env = loadEnv({ source: { ...valid, IMAP_URL: 'imap://a%40x.example:p@h:143/INBOX, imap://b%40x.example:q@h:143/INBOX' }, cwd: bare });
    expect(env.imapMailboxes.map((m) => m.user)).toEqual(['a@x.example', 'b@x.example']);
    expect(env.imap.user).toBe('a@x.example');
  });
});
