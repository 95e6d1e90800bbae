// A prepaid account's end, end to end on the real services (Brødrene Johnsen's alt 2 time account):
// a technician's `#time` uses it up → the contract ends in Postgres, the customer's manager and the
// account manager are told once each in their language, and the customer's next mail opens a
// ticket on the default plan; a restart of the bot and a `contracts sync` change none of that. A
// second customer whose account expired with no entry is ended and told on its next mail.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractsRepository } from '../../src/contracts/contracts.repository.ts';
import { startTestBot, type TestBot } from '../support/bot-harness.ts';
import { readMailbox, sendMail, sendRaw, waitFor, waitForMessages, type ReadMessage, rawReply } from '../support/mail.ts';

let t: TestBot;

// Nordic CNC's alt 2 account: 1h, from 2026-06-01, no lots (so one hour of work uses it up).
// Offshore Design: an alt 2 account that ran 2025-06-01 – 2026-06-01 and expired with no entry.
const editContracts = (yaml: string, suffix: string) =>
  yaml
    .replace('timeBank: { amount: 10h, per: term }', 'timeBank: { amount: 1h, per: term }')
    .replace('      plan: alt2\n      start: 2025-09-01', '      plan: alt2\n      start: 2026-06-01')
    .replace(/      prepaidLots: +# INVENTED top-ups of the time account\n.*\n.*\n/, '')
    .replace('contract: { plan: alt3, start: 2024-06-01 }', `contract: { plan: alt2, start: 2025-06-01, accountManager: erik@bjohnsen-${suffix}.example }`);

beforeAll(async () => {
  t = await startTestBot({
    example: 'brodrene-johnsen.yaml',
    roles: ['ingest', 'mailer'],
    // the harness isolates the domains before editing: the suffix is read back from one of them
    edit: (yaml) => editContracts(yaml, /bjohnsen-([a-z0-9]+)\.example/.exec(yaml)![1]!),
  });
});
afterAll(async () => {
  await t?.stop();
});

let mailCount = 0;
function reply(from: string, to: string, inReplyTo: string, text: string): string {
  const messageId = `<prepaid-${t.suffix}-${(mailCount += 1)}@bjohnsen.example>`;
  return rawReply({ from, fromName: 'Lise Nygård', to, subject: `Re: prepaid ${t.suffix}`, messageId, inReplyTo, text });
}

async function ticketOf(requester: string, subject: string): Promise<{ id: number; plan_key: string; contract_id: number | null }> {
  return waitFor(`ticket "${subject}"`, async () => {
    const [row] = await t.bot.db.sql`select id, plan_key, contract_id from tickets where requester = ${requester} and subject = ${subject}`;
    return row ? { id: Number(row.id), plan_key: String(row.plan_key), contract_id: row.contract_id === null ? null : Number(row.contract_id) } : null;
  });
}

async function contractEnds(customerLike: string): Promise<{ ended_at: string | null; ended_reason: string | null; superseded_at: string | null }[]> {
  const rows = await t.bot.db.sql`
    select k.ended_at::text as ended_at, k.ended_reason, k.superseded_at::text as superseded_at from contracts k join customers c on c.id = k.customer_id
    where c.name = ${customerLike} and k.plan_key = 'alt2' order by k.id`;
  return rows as unknown as { ended_at: string | null; ended_reason: string | null; superseded_at: string | null }[];
}

const count = async (user: string, needle: string) => (await readMailbox(t.env, user)).filter((m) => m.subject.includes(needle)).length;
const textOf = async (message: ReadMessage) => (await simpleParser(message.source)).text ?? '';

describe('a prepaid account that is used up or expires ends its contract', () => {
  it('ends Nordic CNC alt 2 when #time uses the hour up: told once each in Norwegian, next mail on alt 3, also after a restart and a contracts sync', async () => {
    const hanne = t.at('hanne', 'nordiccnc.no');
    const lise = t.at('lise', 'bjohnsen.example');
    const subject = `Postprosessor ${t.suffix}`;
    await sendMail(t.env, { from: hanne, to: t.service, subject, text: 'Postprosessoren lager feil G-kode.' });
    const [ack] = await waitForMessages(t.env, hanne, subject);
    const first = await ticketOf(hanne, subject);
    expect(first.plan_key).toBe('alt2');

    // One hour of work in 15-minute steps draws the whole account.
    await sendRaw(t.env, { from: lise, to: [ack!.replyTo!] }, reply(lise, ack!.replyTo!, ack!.messageId!, 'Ny postprosessor installert.\n#time 1h'));
    await waitForMessages(t.env, lise, 'Tid ført: 1h');
    const [ended] = await waitFor('the contract ended', async () => ((await contractEnds('Nordic CNC AS'))[0]?.ended_at ? contractEnds('Nordic CNC AS') : null));
    expect(ended).toMatchObject({ ended_reason: 'exhausted', superseded_at: null });

    // The manager (here also the superuser) and the account manager, each in Norwegian, once.
    const [customerNotice] = await waitForMessages(t.env, hanne, 'tidskontoen er avsluttet');
    const [managerNotice] = await waitForMessages(t.env, lise, 'tidskontoen er avsluttet');
    expect(customerNotice!.subject).toBe('Nordic CNC AS: tidskontoen er avsluttet (Alt 2: Telefon, mail og WEB-support med tidskonto)');
    expect(await textOf(customerNotice!)).toContain('Den forhåndsbetalte tiden til Nordic CNC AS er brukt opp');
    expect(await textOf(customerNotice!)).toContain('Ta kontakt med oss om en ny tidskonto');
    expect(await textOf(managerNotice!)).toContain('Tilby kunden en ny tidskonto');
    expect(customerNotice!.source).toMatch(/^Auto-Submitted: auto-generated/m);

    // The customer's next mail: a new ticket on the default plan, with no contract.
    const next = `Ny lisens ${t.suffix}`;
    await sendMail(t.env, { from: hanne, to: t.service, subject: next, text: 'Vi trenger en lisens til.' });
    await waitForMessages(t.env, hanne, next);
    expect(await ticketOf(hanne, next)).toMatchObject({ plan_key: 'alt3', contract_id: null });

    // A restart, a sync of the same file, more time on the old ticket and another mail: still one notice each.
    await t.restart();
    await createContractsRepository({ db: t.bot.db.db }).sync(t.config);
    expect((await contractEnds('Nordic CNC AS')).map((row) => [String(row.ended_at), row.ended_reason])).toEqual([[String(ended!.ended_at), 'exhausted']]);
    await sendRaw(t.env, { from: lise, to: [ack!.replyTo!] }, reply(lise, ack!.replyTo!, ack!.messageId!, 'Fulgt opp.\n#time 15m'));
    await waitForMessages(t.env, lise, 'Tid ført: 15m');
    const later = `Etter omstart ${t.suffix}`;
    await sendMail(t.env, { from: hanne, to: t.service, subject: later, text: 'Enda en ting.' });
    await waitForMessages(t.env, hanne, later);
    expect(await ticketOf(hanne, later)).toMatchObject({ plan_key: 'alt3', contract_id: null });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await count(hanne, 'tidskontoen er avsluttet')).toBe(1);
    expect(await count(lise, 'tidskontoen er avsluttet')).toBe(1);
  });

  it('ends Offshore Design alt 2, expired with no entry, on its next mail: the manager told in English, the account manager in Norwegian', async () => {
    const engineering = t.at('engineering', 'offshore-design.no');
    const accounts = t.at('accounts', 'offshore-design.no');
    const erik = t.at('erik', 'bjohnsen.example');
    const subject = `Licence ${t.suffix}`;
    await sendMail(t.env, { from: engineering, to: t.service, subject, text: 'Our licence server is down.' });
    await waitForMessages(t.env, engineering, subject);
    expect(await ticketOf(engineering, subject)).toMatchObject({ plan_key: 'alt3', contract_id: null });
    const [ended] = await waitFor('the contract ended', async () => ((await contractEnds('Offshore Design Group AS'))[0]?.ended_at ? contractEnds('Offshore Design Group AS') : null));
    expect(ended).toMatchObject({ ended_reason: 'expired' });
    const [notice] = await waitForMessages(t.env, accounts, 'the prepaid account has ended');
    expect(await textOf(notice!)).toContain('The prepaid account of Offshore Design Group AS has expired');
    expect(await textOf(notice!)).toContain('ended on 2026-06-01 00:00 (Europe/Oslo)');
    await waitForMessages(t.env, erik, 'tidskontoen er avsluttet');

    // Another mail: nothing more.
    const again = `Licence again ${t.suffix}`;
    await sendMail(t.env, { from: engineering, to: t.service, subject: again, text: 'Still down.' });
    await waitForMessages(t.env, engineering, again);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await count(accounts, 'the prepaid account has ended')).toBe(1);
    expect(await count(erik, 'tidskontoen er avsluttet')).toBe(1);
  });
});
