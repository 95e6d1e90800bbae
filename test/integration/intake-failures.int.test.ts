// Intake fails loudly: a refused IMAP MOVE is retried and the mail still leaves INBOX; a poller
// that logs in but cannot drain does not reset its backoff, and gives up; a bot whose intake
// gives up reports it as fatal (by default: stop and exit 1, so a supervisor restarts it).
import { ImapFlow } from 'imapflow';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createMailboxPoller, type MailDisposition } from '../../src/adapters/imap/mailbox-poller.ts';
import type { ImapEndpoint } from '../../src/config/env.ts';
import { isHelpdeskError } from '../../src/shared/errors.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { sendMail, waitFor } from '../support/mail.ts';
import { testEnv, uniqueSuffix } from '../support/services.ts';

const env = testEnv();
const suffix = uniqueSuffix();
const fast = { initialDelayMs: 20, maxDelayMs: 100, maxFailures: 4, windowMs: 60_000 };

function recordingLogger() {
  const lines: { level: number; msg: string; err?: string; failures?: number }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

function endpointOf(user: string, port = env.imap.port): ImapEndpoint {
  return { ...env.imap, port, user, password: 'test', mailbox: 'INBOX' };
}

async function withImap<T>(user: string, use: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: env.imap.host, port: env.imap.port, secure: false, doSTARTTLS: false, auth: { user, pass: 'test' }, logger: false });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.logout();
  }
}

const inFolder = (user: string, folder: string) =>
  withImap(user, async (client) => {
    const status = await client.status(folder, { messages: true });
    return status ? (status.messages ?? 0) : 0;
  });

describe('intake failures are loud', () => {
  let bot: TestBot | null = null;
  afterAll(async () => {
    await bot?.stop();
  });

  it('retries a refused MOVE, reconnects, and moves the committed mail as a leftover', async () => {
    const user = `movefail-${suffix}@example.test`;
    await sendMail(env, { from: `eva@acme-${suffix}.se`, to: user, subject: 'Move me', text: 'x' });
    const log = recordingLogger();
    let lastUid = 0;
    let commits = 0;
    const poller = createMailboxPoller({
      endpoint: endpointOf(user),
      logger: log.logger,
      safetyPollMs: 200,
      reconnectPolicy: fast,
      loadState: async (uidValidity) => ({ uidValidity, lastUid }),
      async commitBatch(_uidValidity, mails) {
        commits++;
        lastUid = Math.max(lastUid, ...mails.map((m) => m.uid));
        // The folder the mail should go to disappears between the commit and the MOVE.
        if (commits === 1) await withImap(user, (c) => c.mailboxDelete('Processed'));
        return { dispositions: new Map(mails.map((m) => [m.uid, 'processed' as MailDisposition])) };
      },
      dispositionOfCommitted: async (_uidValidity, uids) => new Map(uids.map((u) => [u, 'processed' as MailDisposition])),
    });
    const running = poller.run();
    try {
      await waitFor('the mail in Processed', async () => (await inFolder(user, 'Processed')) === 1, 20_000);
    } finally {
      await poller.stop();
    }
    await running;
    expect(commits).toBe(1);
    expect(await inFolder(user, 'INBOX')).toBe(0);
    const retries = log.lines.filter((l) => l.msg === 'IMAP move refused; retrying');
    expect(retries.length).toBe(2);
    expect(log.lines.some((l) => l.msg === 'mailbox poll failed; reconnecting' && /moving 1 mail\(s\) to Processed failed 3 times/.test(l.err ?? ''))).toBe(true);
    expect(log.lines.some((l) => l.msg === 'moving mails committed before a restart')).toBe(true);
  });

  it('does not reset its backoff when login succeeds but the drain fails, and gives up with intake.unrecoverable', async () => {
    const user = `drainfail-${suffix}@example.test`;
    await sendMail(env, { from: `eva@acme-${suffix}.se`, to: user, subject: 'Never drained', text: 'x' });
    const log = recordingLogger();
    let loads = 0;
    const poller = createMailboxPoller({
      endpoint: endpointOf(user),
      logger: log.logger,
      reconnectPolicy: fast,
      loadState: async () => {
        loads++;
        throw new Error('database is away');
      },
      commitBatch: async () => ({ dispositions: new Map() }),
      dispositionOfCommitted: async () => new Map(),
    });
    const outcome = await poller.run().then(
      () => null,
      (err: unknown) => err,
    );
    expect(isHelpdeskError(outcome, 'intake.unrecoverable')).toBe(true);
    expect(loads).toBe(4);
    // Every login succeeded, yet the failures kept counting: 1, 2, 3, then giving up at 4.
    expect(log.lines.filter((l) => l.msg === 'watching mailbox')).toHaveLength(4);
    expect(log.lines.filter((l) => l.msg === 'mailbox poll failed; reconnecting').map((l) => l.failures)).toEqual([1, 2, 3]);
  });

  it('reports an intake that gives up as fatal, so the process can exit and be restarted', async () => {
    let fatal: (err: Error) => void = () => undefined;
    const reported = new Promise<Error>((resolve) => (fatal = resolve));
    // Nothing listens on port 1: every connection is refused.
    bot = await startTestBot({
      roles: ['ingest'],
      env: { IMAP_URL: `imap://support%40trinax-${suffix}.example:test@${env.imap.host}:1/INBOX` },
      bot: { onFatal: (err: Error) => fatal(err), intakeReconnectPolicy: fast },
    });
    const err = await reported;
    expect(isHelpdeskError(err, 'intake.unrecoverable')).toBe(true);
    expect(err.message).toMatch(/4 failures in a row/);
  });
});
