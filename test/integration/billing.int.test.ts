// A technician's `#time` from a mail client, end to end on the real services: the entry is priced
// under the customer's plan, drawn from the time bank, and receipted to the technician; `#undo` on
// the receipt gives the time back; a reply delivered twice adds time once; a role the plan does not
// price stores nothing; and `helpdesk timebank` equals the sum of the entries.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { runCli } from '../support/bot-process.ts';
import { isolatedExample } from '../support/contracts.ts';
import { timeEntriesOf, waitForTimeEntries, type TimeEntryRow } from '../support/time-entries.ts';
import { sendMail, sendRaw, waitForMessages, type ReadMessage, rawReply } from '../support/mail.ts';

let t: TestBot;
let contractsFile: string;

beforeAll(async () => {
  t = await startTestBot({ roles: ['ingest', 'mailer'] });
  // The same file the bot runs on (the same suffix gives the same isolated domains), for the CLI.
  contractsFile = isolatedExample('trinax.yaml', t.suffix).file;
});
afterAll(async () => {
  await t?.stop();
});

const entriesOf = (ticketId: number) => timeEntriesOf(t.bot.db.sql, ticketId, 'arrival');

async function openTicket(customer: string, subject: string): Promise<{ ack: ReadMessage; ticketId: number; number: number }> {
  await sendMail(t.env, { from: customer, to: t.service, subject, text: 'Skrivaren fungerar inte.' });
  const [ack] = await waitForMessages(t.env, customer, subject);
  const [row] = await t.bot.db.sql`select id, number from tickets where requester = ${customer} and subject = ${subject}`;
  return { ack: ack!, ticketId: Number(row!.id), number: Number(row!.number) };
}

let mailCount = 0;
/** A technician's reply as raw bytes (so the same bytes, or the same Message-ID, can be delivered again). */
function reply(from: string, to: string, inReplyTo: string, text: string, messageId = `<billing-${t.suffix}-${(mailCount += 1)}@trinax.example>`): { raw: string; messageId: string } {
  return { raw: rawReply({ from, fromName: 'William Kakela', to, subject: `Re: billing ${t.suffix}`, messageId, inReplyTo, text }), messageId };
}

const waitForEntries = (ticketId: number, count: number) => waitForTimeEntries(t.bot.db.sql, ticketId, count, 'arrival');

describe('time logged by mail, priced and drawn from the time bank', () => {
  it('prices #time, draws the bank, receipts it; #undo gives it back; twice delivered is once; timebank equals the entries; a recompute shows, then applies, a changed bank', async () => {
    const customer = t.at('eva', 'acme.se');
    const william = t.at('william', 'trinax.example');
    const { ack, ticketId, number } = await openTicket(customer, `Skrivare ${t.suffix}`);

    // 47m remote on Alert! (15m steps, 1 350 SEK/h, 15h per quarter) → 60m from the bank.
    const first = reply(william, ack.replyTo!, ack.messageId!, 'Bytt toner.\n#time 47m');
    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, first.raw);
    const [entry] = await waitForEntries(ticketId, 1);
    expect(entry).toMatchObject({
      minutes: 47,
      billable_minutes: 60,
      from_bank_minutes: 60,
      overage_minutes: 0,
      amount_minor: 135_000,
      explanation: '47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK, 60m from bank',
      reverses_entry_id: null,
    });

    // The receipt, in the technician's language (Trinax: Swedish), says what it bills, what is left and how to undo.
    const [receipt] = await waitForMessages(t.env, william, 'Tid loggad: 47m');
    const receiptText = (await simpleParser(receipt!.source)).text ?? '';
    expect(receiptText).toContain('Debiteras: 47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK, 60m from bank');
    expect(receiptText).toContain('Kvar i timbanken denna period (till och med 2026-12-31): 14h');
    expect(receiptText).toContain('svara på det här mejlet med raden #undo');

    // The same Message-ID again with other bytes (a copy through another route): no second entry.
    const again = reply(william, ack.replyTo!, ack.messageId!, 'Bytt toner.\n#time 47m\n', first.messageId);
    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, `${again.raw}\r\n-- \r\nSkickat från mobilen\r\n`);
    // A role Alert! does not price: nothing stored, the technician hears the plan's roles.
    const engineer = reply(william, ack.replyTo!, ack.messageId!, '#time 1h engineer');
    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, engineer.raw);
    const [refusal] = await waitForMessages(t.env, william, 'Taggrader kunde inte');
    // in the technician's language (Swedish: the provider's), with the plan's roles
    const refusalText = (await simpleParser(refusal!.source)).text;
    expect(refusalText).toContain('ärendets plan har inget pris för den här rollen (roller: default)');
    expect(refusalText).not.toContain('has no rate for role');
    expect(await entriesOf(ticketId)).toHaveLength(1);

    // #undo, a reply to the receipt: a reversing entry, and the bank is whole again.
    const undo = reply(william, receipt!.replyTo!, receipt!.messageId!, '#undo');
    await sendRaw(t.env, { from: william, to: [receipt!.replyTo!] }, undo.raw);
    const entries = await waitForEntries(ticketId, 2);
    expect(entries[1]).toMatchObject({
      minutes: -47,
      billable_minutes: -60,
      from_bank_minutes: -60,
      overage_minutes: 0,
      amount_minor: -135_000,
      reverses_entry_id: entry!.id,
      reason: '#undo',
    });
    await waitForMessages(t.env, william, 'Tidpost ångrad: -47m');

    // Then 2h of work and a correction of it: 90m stays on the bank.
    const more = reply(william, ack.replyTo!, ack.messageId!, '#time 2h');
    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, more.raw);
    await waitForEntries(ticketId, 3);
    const fix = reply(william, ack.replyTo!, ack.messageId!, '#time -30m glömde rasten');
    await sendRaw(t.env, { from: william, to: [ack.replyTo!] }, fix.raw);
    const all = await waitForEntries(ticketId, 4);
    expect(all.map((row) => [row.minutes, row.billable_minutes, row.from_bank_minutes, row.reason])).toEqual([
      [47, 60, 60, null],
      [-47, -60, -60, '#undo'],
      [120, 120, 120, null],
      [-30, -30, -30, 'glömde rasten'],
    ]);

    // `helpdesk timebank` equals the sum of the entries, and a recompute finds nothing to change.
    const env = { DATABASE_URL: t.env.databaseUrl, CONTRACTS_FILE: contractsFile };
    const cli = runCli(env, ['timebank', 'acme-' + t.suffix + '.se', '--json', '--recompute']);
    expect(cli.stderr).toBe('');
    const status = JSON.parse(cli.stdout) as Record<string, unknown>;
    const sum = (key: keyof TimeEntryRow) => all.reduce((total, row) => total + Number(row[key]), 0);
    expect(status).toMatchObject({
      customer: 'Acme AB',
      plan: 'alert',
      period: { start: '2026-10-01', end: '2027-01-01' },
      allowanceMinutes: 900,
      usedMinutes: sum('from_bank_minutes'),
      remainingMinutes: 900 - sum('from_bank_minutes'),
      overageMinutes: sum('overage_minutes'),
      overageAmount: '0.00',
      currency: 'SEK',
      changes: [],
    });
    expect(status.usedMinutes).toBe(90);

    // The contracts file changes (15h → 1h per quarter): --recompute shows what moves, --apply writes it.
    const smallBank = isolatedExample('trinax.yaml', t.suffix, (text) => text.replace('timeBank: { amount: 15h, per: quarter', 'timeBank: { amount: 1h, per: quarter')).file;
    const shown = JSON.parse(runCli({ ...env, CONTRACTS_FILE: smallBank }, ['timebank', 'Acme AB', '--json', '--recompute']).stdout) as { changes: { entryId: string }[] };
    expect(shown.changes.map((change) => change.entryId)).toEqual([all[2]!.id, all[3]!.id]);
    expect((await entriesOf(ticketId)).map((row) => row.overage_minutes)).toEqual([0, 0, 0, 0]);
    const applied = runCli({ ...env, CONTRACTS_FILE: smallBank }, ['timebank', 'Acme AB', '--json', '--recompute', '--apply']);
    expect(JSON.parse(applied.stdout)).toMatchObject({ allowanceMinutes: 60, usedMinutes: 60, remainingMinutes: 0, overageMinutes: 30, overageAmount: '675.00' });
    const recomputed = await entriesOf(ticketId);
    // The 2h entry now draws the hour that is left and 60m beyond it; its correction gives back overage first.
    expect(recomputed.map((row) => [row.from_bank_minutes, row.overage_minutes])).toEqual([[60, 0], [-60, 0], [60, 60], [0, -30]]);
    expect(recomputed[2]!.explanation).toBe('120m remote → 120m (per started 15m) × 1 350 SEK/h = 2 700.00 SEK, 60m from bank, 60m over the bank');
    const settled = JSON.parse(runCli({ ...env, CONTRACTS_FILE: smallBank }, ['timebank', 'Acme AB', '--json', '--recompute']).stdout) as { changes: unknown[] };
    expect(settled.changes).toEqual([]);

    const ticket = runCli(env, ['ticket', String(number), '--json']);
    const detail = JSON.parse(ticket.stdout) as { timeEntries: Record<string, unknown>[] };
    expect(detail.timeEntries[0]).toMatchObject({
      minutes: 47,
      billableMinutes: 60,
      fromBankMinutes: 60,
      overageMinutes: 0,
      amount: '1350.00',
      currency: 'SEK',
      explanation: '47m remote → 60m (per started 15m) × 1 350 SEK/h = 1 350.00 SEK, 60m from bank',
    });
  });
});
