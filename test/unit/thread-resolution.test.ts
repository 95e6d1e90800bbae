import { describe, expect, it } from 'vitest';
import type { ParsedInbound } from '../../src/mail/inbound-parse.ts';
import { createReplyAddress } from '../../src/mail/reply-token.models.ts';
import type { BatchMail } from '../../src/tickets/intake/intake-context.ts';
import { participationKey } from '../../src/tickets/intake/intake.repository.ts';
import { resolveThread, threadKeysOf, type ThreadLookup } from '../../src/tickets/intake/thread-resolution.ts';
import type { TicketRow } from '../../src/tickets/tickets.repository.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const SERVICE = 'support@trinax.example';

function ticket(id: number, number: number): TicketRow {
  const at = new Date('2026-11-20T10:00:00Z');
  return {
    id, number, subject: 'Printer', status: 'open', priority: 'P3', kind: 'incident', customerId: null, contractId: null, planKey: 'alert',
    requester: 'eva@acme.se', requesterName: null, locale: 'sv', timezone: 'Europe/Stockholm', serviceAddress: SERVICE,
    createdAt: at, updatedAt: at, firstResponseAt: null, resolvedAt: null, closedAt: null, queuePriority: 1, owner: null,
  };
}

function mail(parsed: Partial<ParsedInbound>, sender = 'eva@acme.se'): BatchMail {
  const full = { subject: '', inReplyTo: null, references: [], recipients: [SERVICE], ...parsed } as ParsedInbound;
  return { mail: { uid: 1, internalDate: new Date(), raw: Buffer.from('') }, parsed: full, sender, automation: { automatic: false, reasons: [] }, rawMailId: 0 };
}

const t7 = ticket(70, 7);
const t9 = ticket(90, 9);
const lookup: ThreadLookup = {
  ticketsById: new Map([[70, t7], [90, t9]]),
  ticketsByNumber: new Map([[7, t7], [9, t9]]),
  ticketIdByMessageId: new Map([['<ack-9@trinax.example>', 90]]),
  participations: new Set([participationKey(7, 'eva@acme.se')]),
};
const none = new Map<string, string>();
const resolve = (item: BatchMail, opened = none) => resolveThread(item, threadKeysOf(item, [SERVICE], SECRET), lookup, opened);

describe('resolveThread', () => {
  it('follows a valid reply token first, whatever the headers say', () => {
    const token = createReplyAddress({ serviceAddress: SERVICE, ticketNumber: 7, secret: SECRET });
    const item = mail({ recipients: [token], inReplyTo: '<ack-9@trinax.example>', subject: 'Re: [#9] VPN' });
    expect(resolve(item)).toEqual({ kind: 'ticket', ticket: t7, via: 'token' });
  });

  it('threads a mail to the approve or decline address of an estimate into its ticket, and not one whose action was edited', () => {
    for (const action of ['approve', 'decline'] as const) {
      const address = createReplyAddress({ serviceAddress: SERVICE, ticketNumber: 7, secret: SECRET, action });
      expect(resolve(mail({ recipients: [address] }))).toEqual({ kind: 'ticket', ticket: t7, via: 'token' });
    }
    const approve = createReplyAddress({ serviceAddress: SERVICE, ticketNumber: 7, secret: SECRET, action: 'approve' });
    const edited = approve.replace('+7.a.', '+7.d.');
    expect(threadKeysOf(mail({ recipients: [edited] }), [SERVICE], SECRET)).toMatchObject({ tokenNumber: null, invalidTokenNumber: 7 });
    expect(resolve(mail({ recipients: [edited] }))).toEqual({ kind: 'none' });
  });

  it('ignores a forged token and threads by In-Reply-To', () => {
    const item = mail({ recipients: ['support+7.forged@trinax.example'], inReplyTo: '<ack-9@trinax.example>' });
    expect(resolve(item)).toEqual({ kind: 'ticket', ticket: t9, via: 'reference' });
  });

  it('threads by [#N] in the subject only when the sender takes part in ticket N', () => {
    expect(resolve(mail({ subject: 'Re: [#7] Printer' }))).toEqual({ kind: 'ticket', ticket: t7, via: 'subject' });
    expect(resolve(mail({ subject: 'Re: [#7] Printer' }, 'mallory@evil.example'))).toEqual({ kind: 'none' });
  });

  it('joins a ticket opened earlier in the same batch by the Message-ID of the mail that opened it', () => {
    const opened = new Map([['<first@acme.se>', 'the pending ticket']]);
    expect(resolve(mail({ inReplyTo: '<first@acme.se>' }), opened)).toEqual({ kind: 'pending', pending: 'the pending ticket' });
  });

  it('prefers a stored ticket to one the batch is opening', () => {
    const opened = new Map([['<ack-9@trinax.example>', 'the pending ticket']]);
    expect(resolve(mail({ references: ['<ack-9@trinax.example>'] }), opened)).toEqual({ kind: 'ticket', ticket: t9, via: 'reference' });
  });

  it('opens a new ticket when nothing matches', () => {
    expect(resolve(mail({ subject: 'Printer broken', inReplyTo: '<unknown@elsewhere>' }))).toEqual({ kind: 'none' });
  });
});
