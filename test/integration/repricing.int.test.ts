// A correction re-prices what follows it (docs/domain.md, "Re-pricing"), on the real services: on a
// plan that rounds per ticket, undoing the first of three entries moves the rounding to the later
// ones through adjustment rows, the bank gets back what the undone entry drew and the later entry
// draws it, and `ticket N --json` and `helpdesk timebank` (with a recompute that finds nothing to
// change) agree with the ticket priced from scratch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { runCli } from '../support/bot-process.ts';
import { isolatedExample } from '../support/contracts.ts';
import { timeEntriesOf, waitForTimeEntries } from '../support/time-entries.ts';
import { rawReply, sendMail, sendRaw, waitForMessages, type ReadMessage } from '../support/mail.ts';

// Trinax's Alert! plan, changed to round the ticket's total up to whole hours and to a 1h bank per
// quarter, so that both the rounding and the bank move when an entry is undone.
const ALERT_BILLING = '      increment: 15m                            # INVENTED\n      rates: { default: 1350 }';
function perTicketHours(text: string): string {
  if (!text.includes(ALERT_BILLING)) throw new Error('examples/trinax.yaml changed: the Alert! billing lines this test edits are gone');
  return text
    .replace(ALERT_BILLING, '      increment: 1h\n      roundPer: ticket\n      rates: { default: 1350 }')
    .replace('timeBank: { amount: 15h, per: quarter', 'timeBank: { amount: 1h, per: quarter');
}

let t: TestBot;
let contractsFile: string;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest', 'mailer'], edit: perTicketHours });
  contractsFile = isolatedExample('trinax.yaml', t.suffix, perTicketHours).file;
});
afterAll(async () => {
  await t?.stop();
});

const entriesOf = (ticketId: number) => timeEntriesOf(t.bot.db.sql, ticketId, 'work');

const waitForEntries = (ticketId: number, count: number) => waitForTimeEntries(t.bot.db.sql, ticketId, count, 'work');

let mailCount = 0;
function reply(from: string, to: string, inReplyTo: string, text: string): string {
  return rawReply({ from, fromName: 'William Kakela', to, subject: `Re: repricing ${t.suffix}`, messageId: `<repricing-${t.suffix}-${(mailCount += 1)}@trinax.example>`, inReplyTo, text });
}

describe('a correction re-prices the entries after it', () => {
  it('undoing the first of 30m + 25m + 35m on a per-ticket-hours plan bills 1h, drawn from the bank by the entry that now bills it', async () => {
    const customer = t.at('eva', 'acme.se');
    const william = t.at('william', 'trinax.example');
    const subject = `Ny användare ${t.suffix}`;
    await sendMail(t.env, { from: customer, to: t.service, subject, text: 'Kan ni lägga upp en ny användare?' });
    const [ack] = await waitForMessages(t.env, customer, subject);
    const [ticket] = await t.bot.db.sql`select id, number from tickets where requester = ${customer} and subject = ${subject}`;
    const ticketId = Number(ticket!.id);

    // Work on a Monday morning, inside Trinax's office hours: 30m → 1h, 55m → still 1h, 90m → 2h.
    const log = async (line: string, count: number): Promise<ReadMessage> => {
      await sendRaw(t.env, { from: william, to: [ack!.replyTo!] }, reply(william, ack!.replyTo!, ack!.messageId!, line));
      await waitForEntries(ticketId, count);
      const minutes = /#time (\d+m)/.exec(line)![1]!;
      const [receipt] = await waitForMessages(t.env, william, `Tid loggad: ${minutes}`);
      return receipt!;
    };
    const firstReceipt = await log('#time 30m 2026-11-23 09:00', 1);
    await log('#time 25m 2026-11-23 10:00', 2);
    await log('#time 35m 2026-11-23 11:00', 3);
    const logged = await entriesOf(ticketId);
    expect(logged.map((row) => [row.minutes, row.billable_minutes, row.from_bank_minutes, row.overage_minutes])).toEqual([
      [30, 60, 60, 0],
      [25, 0, 0, 0],
      [35, 60, 0, 60],
    ]);

    // #undo of the first: it gives back its hour; the second now bills the ticket's one hour and
    // draws it from the bank, the third bills nothing more and its overage goes away.
    await sendRaw(t.env, { from: william, to: [firstReceipt.replyTo!] }, reply(william, firstReceipt.replyTo!, firstReceipt.messageId!, '#undo'));
    const all = await waitForEntries(ticketId, 6);
    const [a, b, c] = all;
    const undo = all.find((row) => row.reason === '#undo');
    const adjustments = all.filter((row) => row.minutes === 0 && row.reverses_entry_id !== null);
    expect(adjustments).toHaveLength(2);
    expect(undo).toMatchObject({ minutes: -30, billable_minutes: -60, from_bank_minutes: -60, amount_minor: -135_000, reverses_entry_id: a!.id, reason: '#undo' });
    expect(undo!.explanation).toContain('2 other entries re-priced in work order, ticket 120m → 60m billed = 2 700.00 SEK → 1 350.00 SEK');
    const adjustmentOf = (id: string) => adjustments.find((row) => row.reverses_entry_id === id);
    expect(adjustmentOf(b!.id)).toMatchObject({ minutes: 0, billable_minutes: 60, from_bank_minutes: 60, overage_minutes: 0, amount_minor: 135_000 });
    expect(adjustmentOf(c!.id)).toMatchObject({ minutes: 0, billable_minutes: -60, from_bank_minutes: 0, overage_minutes: -60, amount_minor: -135_000 });
    expect(adjustmentOf(c!.id)!.explanation).toMatch(/^re-priced after #undo of 30m: 60m → 0m billed, 1 350.00 SEK → 0.00 SEK \(-1 350.00 SEK\)/);
    // nothing stored before was rewritten but the draws' part of the explanation
    expect([a, b, c].map((row) => [row!.billable_minutes, row!.amount_minor])).toEqual([[60, 135_000], [0, 0], [60, 135_000]]);

    // The ticket's --json: its entries sum to the ticket priced from scratch, 1h.
    const env = { DATABASE_URL: t.env.databaseUrl, CONTRACTS_FILE: contractsFile };
    const detail = JSON.parse(runCli(env, ['ticket', String(ticket!.number), '--json']).stdout) as { timeEntries: { billableMinutes: number; amount: string }[] };
    expect(detail.timeEntries).toHaveLength(6);
    expect(detail.timeEntries.reduce((total, entry) => total + entry.billableMinutes, 0)).toBe(60);
    expect(detail.timeEntries.reduce((total, entry) => total + Math.round(Number(entry.amount) * 100), 0)).toBe(135_000);

    // timebank: the hour is drawn from the bank, nothing over it; a recompute changes nothing, twice.
    for (let run = 0; run < 2; run += 1) {
      const cli = runCli(env, ['timebank', 'Acme AB', '--json', '--recompute', '--apply']);
      expect(cli.stderr).toBe('');
      expect(JSON.parse(cli.stdout)).toMatchObject({ allowanceMinutes: 60, usedMinutes: 60, remainingMinutes: 0, overageMinutes: 0, overageAmount: '0.00', changes: [] });
    }
  });
});
