import { describe, expect, it } from 'vitest';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import type { ParseOutcome, ParsedInbound } from '../../src/mail/inbound-parse.ts';
import { planBatch, type BatchPlanInput } from '../../src/tickets/intake/batch-plan.ts';
import type { BatchMail, InboundMail } from '../../src/tickets/intake/intake-context.ts';
import type { ThreadKeys, ThreadLookup } from '../../src/tickets/intake/thread-resolution.ts';
import type { TicketRow } from '../../src/tickets/tickets.repository.ts';
import { EXAMPLES_DIR } from '../support/contracts.ts';

const config = await loadContractsFile(`${EXAMPLES_DIR}/trinax.yaml`);
const at = new Date('2026-11-30T09:00:00Z');

function parsedMail(uid: number, fields: Partial<ParsedInbound> = {}): { mail: InboundMail; outcome: ParseOutcome } {
  const parsed = {
    sha256: `hash-${uid}`, size: 100, messageId: `<m${uid}@acme.se>`, inReplyTo: null, references: [], from: { address: 'eva@acme.se', name: 'Eva' },
    to: [], cc: [], recipients: [], subject: `Problem ${uid}`, sentAt: null, text: 'x', html: null, headers: {}, returnPath: undefined,
    authenticationResults: [], contentType: 'text/plain', reportType: null, bouncedMessageId: null, attachments: [], ...fields,
  } as ParsedInbound;
  return { mail: { uid, internalDate: at, raw: Buffer.from(`raw ${uid}`) }, outcome: { ok: true, mail: parsed } };
}

function ticket(id: number, status: TicketRow['status']): TicketRow {
  return {
    id, number: id, subject: 's', status, priority: 'P3', kind: 'incident', customerId: null, contractId: null, planKey: config.defaultPlan,
    requester: 'eva@acme.se', requesterName: null, locale: 'sv', timezone: 'Europe/Stockholm', serviceAddress: 'support@trinax.example',
    createdAt: at, updatedAt: at, firstResponseAt: null, resolvedAt: null, closedAt: null, queuePriority: 1, owner: null,
  };
}

function input(entries: { mail: InboundMail; outcome: ParseOutcome }[], over: Partial<BatchPlanInput> = {}, lookup: Partial<ThreadLookup> = {}): BatchPlanInput {
  const items = new Map<number, { item: BatchMail; index: number }>();
  const keys = new Map<BatchMail, ThreadKeys>();
  let index = 0;
  for (const { mail, outcome } of entries) {
    if (!outcome.ok) continue;
    const item: BatchMail = { mail, parsed: outcome.mail, sender: outcome.mail.from!.address, automation: { automatic: false, reasons: [] }, rawMailId: 0 };
    items.set(mail.uid, { item, index: index++ });
    keys.set(item, { tokenNumber: null, invalidTokenNumber: null, referencedIds: outcome.mail.inReplyTo ? [outcome.mail.inReplyTo] : [], subjectNumber: null });
  }
  return {
    config, mailboxId: 1, uidValidity: 5, mails: entries.map((e) => e.mail), parsed: entries.map((e) => e.outcome), parsedByUid: items,
    committedUpTo: 0, alreadyHandled: new Set(), storedRawIds: new Map(), keys,
    lookup: { ticketsById: new Map(), ticketsByNumber: new Map(), ticketIdByMessageId: new Map(), participations: new Set(), ...lookup },
    technicianOf: () => null,
    ...over,
  };
}

describe('planBatch', () => {
  it('opens a ticket per new mail and stores each raw mail once', () => {
    const plan = planBatch(input([parsedMail(11), parsedMail(12)]));
    expect(plan.toOpen.map((o) => o.item.mail.uid)).toEqual([11, 12]);
    expect(plan.newRaw.map((r) => r.sha256)).toEqual(['hash-11', 'hash-12']);
    expect(plan.maxUid).toBe(12);
    expect([...plan.outcomes.values()]).toEqual([{ status: 'processed' }, { status: 'processed' }]);
  });

  it('skips UIDs committed by an earlier run and mails handled before, and the same bytes twice in one batch', () => {
    const second = parsedMail(12);
    const twin = { mail: { ...parsedMail(13).mail }, outcome: parsedMail(12).outcome };
    const plan = planBatch(input([parsedMail(10), second, twin, parsedMail(14)], { committedUpTo: 10, alreadyHandled: new Set([3]) }));
    // uid 10: committed before; 12: new; 13: the same bytes as 12; 14 (the 4th parsed mail, dedup index 3): handled before
    expect(plan.toOpen.map((o) => o.item.mail.uid)).toEqual([12]);
    expect(plan.maxUid).toBe(14);
    expect(plan.outcomes.size).toBe(4);
  });

  it('quarantines an unparseable mail with its reason and keeps its bytes', () => {
    const bad = { mail: { uid: 20, internalDate: at, raw: Buffer.from('junk') }, outcome: { ok: false, sha256: 'junk-hash', size: 4, reasonCode: 'mail.no_sender', reason: 'no From' } as ParseOutcome };
    const plan = planBatch(input([bad]));
    expect(plan.outcomes.get(20)).toEqual({ status: 'quarantined', reasonCode: 'mail.no_sender', reason: 'no From' });
    expect(plan.quarantine).toMatchObject([{ uid: 20, uidValidity: 5, reasonCode: 'mail.no_sender' }]);
    expect(plan.newRaw.map((r) => r.sha256)).toEqual(['junk-hash']);
  });

  it('threads a quick reply to a ticket the same batch opens', () => {
    const plan = planBatch(input([parsedMail(30), parsedMail(31, { inReplyTo: '<m30@acme.se>' })]));
    expect(plan.toOpen).toHaveLength(1);
    expect(plan.messages.map((m) => m.opens?.item.mail.uid)).toEqual([30, 30]);
    expect(plan.touches).toHaveLength(1);
  });

  it('leaves a reply to a waiting ticket, and every later mail on it, to the one-by-one path', () => {
    const waiting = ticket(7, 'waiting');
    const lookup = { ticketsById: new Map([[7, waiting]]), ticketIdByMessageId: new Map([['<ack-7@trinax.example>', 7]]) };
    const plan = planBatch(input([parsedMail(40, { inReplyTo: '<ack-7@trinax.example>' }), parsedMail(41, { inReplyTo: '<ack-7@trinax.example>' })], {}, lookup));
    expect(plan.stateful.map((s) => s.item.mail.uid)).toEqual([40, 41]);
    expect(plan.messages).toHaveLength(0);
  });

  it('leaves a customer reply to an open ticket to the one-by-one path (its owner is told), and opens a new ticket for a reply to a closed one', () => {
    const open = ticket(8, 'open');
    const closed = ticket(9, 'closed');
    const lookup = { ticketsById: new Map([[8, open], [9, closed]]), ticketIdByMessageId: new Map([['<a8@x>', 8], ['<a9@x>', 9]]) };
    const plan = planBatch(input([parsedMail(50, { inReplyTo: '<a8@x>' }), parsedMail(51, { inReplyTo: '<a9@x>' })], {}, lookup));
    expect(plan.stateful).toMatchObject([{ ticketId: 8, technician: null }]);
    expect(plan.touches).toEqual([]);
    expect(plan.toOpen.map((o) => o.item.mail.uid)).toEqual([51]);
    expect(plan.events).toEqual([{ ticketId: 9, at, event: { type: 'follow_up_after_close', messageId: '<m51@acme.se>' } }]);
  });

  it('writes an out-of-office reply to an open ticket in bulk: nobody is told, nothing changes', () => {
    const open = ticket(8, 'open');
    const lookup = { ticketsById: new Map([[8, open]]), ticketIdByMessageId: new Map([['<a8@x>', 8]]) };
    const base = input([parsedMail(52, { inReplyTo: '<a8@x>' })], {}, lookup);
    for (const { item } of base.parsedByUid.values()) item.automation = { automatic: true, reasons: ['auto-submitted'] };
    const plan = planBatch(base);
    expect(plan.stateful).toEqual([]);
    expect(plan.messages).toMatchObject([{ fields: { ticketId: 8, author: 'automatic' } }]);
    expect(plan.touches).toEqual([]);
  });

  describe('a known technician’s mail', () => {
    const william = config.provider.technicians[0]!;
    const open = ticket(8, 'open');
    const technicianMail = (uid: number, fields: Partial<ParsedInbound>, keys: Partial<ThreadKeys>, proven = true, lookup: Partial<ThreadLookup> = {}) => {
      const base = input([parsedMail(uid, { from: { address: william.email, name: 'William' }, ...fields })], { technicianOf: () => ({ technician: william, proven }) }, {
        ticketsById: new Map([[8, open]]),
        ticketsByNumber: new Map([[8, open]]),
        ...lookup,
      });
      for (const [item, k] of base.keys) (base.keys as Map<BatchMail, ThreadKeys>).set(item, { ...k, ...keys });
      return planBatch(base);
    };

    it('is applied one by one when it came by a valid reply address and our server authenticated it', () => {
      const plan = technicianMail(60, {}, { tokenNumber: 8 });
      expect(plan.stateful).toMatchObject([{ ticketId: 8, technician: { email: william.email } }]);
      expect(plan.unverified).toEqual([]);
    });

    it('is kept as an internal note and answered when our server did not authenticate it', () => {
      const plan = technicianMail(61, {}, { tokenNumber: 8 }, false);
      expect(plan.stateful).toEqual([]);
      expect(plan.messages).toMatchObject([{ fields: { ticketId: 8, author: 'unverified', internal: true } }]);
      expect(plan.events).toMatchObject([{ ticketId: 8, event: { type: 'technician_unverified', reason: 'unauthenticated' } }]);
      expect(plan.unverified).toMatchObject([{ ticketId: 8, reason: 'unauthenticated' }]);
    });

    it('is kept on the ticket a reply address names whose code does not verify (an old secret, a mangled address)', () => {
      const plan = technicianMail(62, {}, { invalidTokenNumber: 8 });
      expect(plan.messages).toMatchObject([{ fields: { ticketId: 8, author: 'unverified', internal: true } }]);
      expect(plan.unverified).toMatchObject([{ ticketId: 8, reason: 'invalid-reply-address' }]);
    });

    it('is kept on the ticket it references when it did not go to a reply address (a reply to an old mail)', () => {
      const plan = technicianMail(63, { inReplyTo: '<a8@x>' }, { referencedIds: ['<a8@x>'] }, true, { ticketIdByMessageId: new Map([['<a8@x>', 8]]) });
      expect(plan.messages).toMatchObject([{ fields: { ticketId: 8, author: 'unverified', internal: true } }]);
      expect(plan.unverified).toMatchObject([{ ticketId: 8, reason: 'no-reply-address' }]);
    });

    it('is kept without a ticket, opens none, and is answered when no ticket can be told', () => {
      const plan = technicianMail(64, {}, {});
      expect(plan.toOpen).toEqual([]);
      expect(plan.messages).toMatchObject([{ fields: { ticketId: null, author: 'unverified', internal: true } }]);
      expect(plan.events).toEqual([]);
      expect(plan.unverified).toMatchObject([{ ticketId: null, reason: 'no-reply-address' }]);
    });
  });
});
