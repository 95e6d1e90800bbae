// Time-bank notices end to end on the real services (Trinax's Alert! plan, its bank made 2h per
// quarter): the customer's manager (Swedish) and the account manager (English) get one mail each at
// 80 % and at 100 % of the quarter's bank; a correction back under 80 % sends nothing, crossing it
// again sends nothing, and neither a restart of the bot nor `timebank --recompute --apply` sends
// anything again.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { runCli } from '../support/bot-process.ts';
import { isolatedExample } from '../support/contracts.ts';
import { readMailbox, sendMail, sendRaw, waitFor, waitForMessages, rawReply } from '../support/mail.ts';

let t: TestBot;
let contractsFile: string;

// 2h per quarter; Sara (writing English) is Acme's account manager.
const edit = (yaml: string) =>
  yaml
    .replace('timeBank: { amount: 15h, per: quarter', 'timeBank: { amount: 2h, per: quarter')
    .replace(/(- \{ email: sara@[^,]+, name: Sara Holm, role: technician)/, '$1, locale: en')
    .replace(/(plan: alert\n\s+start: 2026-01-01[^\n]*\n\s+accountManager: )william@/, '$1sara@');

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest', 'mailer'], edit });
  contractsFile = isolatedExample('trinax.yaml', t.suffix, edit).file;
});
afterAll(async () => {
  await t?.stop();
});

let mailCount = 0;
function reply(from: string, to: string, inReplyTo: string, text: string): string {
  const messageId = `<notices-${t.suffix}-${(mailCount += 1)}@trinax.example>`;
  return rawReply({ from, fromName: 'William Kakela', to, subject: `Re: notices ${t.suffix}`, messageId, inReplyTo, text });
}

const subjects = async (user: string, needle: string) => (await readMailbox(t.env, user)).filter((m) => m.subject.includes(needle));
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

describe('80 % and 100 % of a period\'s bank', () => {
  it('tells the manager and the account manager once per threshold in their languages, through corrections, a restart and a recompute', async () => {
    const eva = t.at('eva', 'acme.se');
    const cfo = t.at('cfo', 'acme.se');
    const sara = t.at('sara', 'trinax.example');
    const william = t.at('william', 'trinax.example');
    const subject = `Server ${t.suffix}`;
    await sendMail(t.env, { from: eva, to: t.service, subject, text: 'Servern startar inte.' });
    const [ack] = await waitForMessages(t.env, eva, subject);
    let receipts = 0;
    const logTime = async (line: string) => {
      await sendRaw(t.env, { from: william, to: [ack!.replyTo!] }, reply(william, ack!.replyTo!, ack!.messageId!, line));
      receipts += 1;
      // every receipt is queued in the transaction that queued the notices of its entry
      await waitFor(`${receipts} receipts`, async () => (await readMailbox(t.env, william)).filter((m) => /Tid (loggad|korrigerad)/.test(m.subject)).length >= receipts);
    };

    // 90 of 120 minutes: 75 %, nothing.
    await logTime('#time 1h30m');
    // 105 of 120: 87.5 %, the 80 % notice.
    await logTime('#time 10m');
    const [cfo80] = await waitForMessages(t.env, cfo, '80 % av timbanken använd');
    const [sara80] = await waitForMessages(t.env, sara, '80 % of the time bank used');
    expect(cfo80!.subject).toBe('Acme AB: 80 % av timbanken använd (2026-10-01 – 2026-12-31)');
    const saraText = (await simpleParser(sara80!.source)).text ?? '';
    expect(saraText).toContain('The time bank of Acme AB has reached 80 % for this period.');
    expect(saraText).toContain('Used:      1h 45m');
    expect(saraText).toContain('Left:      15m');

    // Back under 80 % and over it again in the same quarter: no mail.
    await logTime('#time -15m fel ärende');
    await logTime('#time 10m');
    // Used up: the 100 % notice.
    await logTime('#time 30m');
    await waitForMessages(t.env, cfo, '100 % av timbanken använd');
    await waitForMessages(t.env, sara, '100 % of the time bank used');

    // A restart, then more time: still one of each.
    await t.restart();
    await logTime('#time 15m');
    // A recompute that applies (nothing to change) and more time after it.
    const cli = runCli({ DATABASE_URL: t.env.databaseUrl, CONTRACTS_FILE: contractsFile }, ['timebank', 'Acme AB', '--json', '--recompute', '--apply']);
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toMatchObject({ allowanceMinutes: 120, usedMinutes: 120, remainingMinutes: 0 });
    await logTime('#time 5m');
    await settle();
    for (const [user, eighty, hundred] of [
      [cfo, '80 % av timbanken använd', '100 % av timbanken använd'],
      [sara, '80 % of the time bank used', '100 % of the time bank used'],
    ] as const) {
      expect((await subjects(user, eighty)).length).toBe(1);
      expect((await subjects(user, hundred)).length).toBe(1);
    }
    // The requester is not a manager: she hears nothing of the bank.
    expect(await subjects(eva, 'timbanken')).toEqual([]);
  });
});
