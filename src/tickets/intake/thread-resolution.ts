// Which ticket each mail of a batch belongs to: reply token, then In-Reply-To/References, then
// `[#N]` in the subject when the sender already takes part in ticket N. Every key of the batch
// is looked up in ONE round trip (threadingKeys → lookupThreads); the decision per mail is then
// pure (resolveThread), and also sees tickets the same batch opens before it.
import { replyTokenCandidates, type ReplySecrets } from '../../mail/reply-token.models.ts';
import { decideThread, extractSubjectTicketNumber, referencedMessageIds } from '../../mail/threading.models.ts';
import type { TicketRow } from '../tickets.repository.ts';
import type { BatchMail } from './intake-context.ts';
import { participationKey, type IntakeRepository } from './intake.repository.ts';

/** What one mail could be threaded by, read from its headers once. */
export interface ThreadKeys {
  tokenNumber: number | null;
  /**
   * The ticket a reply address names whose MAC does not verify (a secret no longer listed, a
   * mangled address). Never threads a mail: it only tells which ticket a known technician's
   * unverifiable text belongs on, as an internal note.
   */
  invalidTokenNumber: number | null;
  referencedIds: string[];
  subjectNumber: number | null;
}

export interface ThreadLookup {
  ticketsById: Map<number, TicketRow>;
  ticketsByNumber: Map<number, TicketRow>;
  ticketIdByMessageId: Map<string, number>;
  participations: Set<string>;
}

export function threadKeysOf(item: BatchMail, serviceAddresses: readonly string[], secret: ReplySecrets): ThreadKeys {
  const { parsed } = item;
  const candidates = replyTokenCandidates({ addresses: parsed.recipients, serviceAddresses, secret });
  return {
    tokenNumber: candidates.find((candidate) => candidate.valid)?.ticketNumber ?? null,
    invalidTokenNumber: candidates.find((candidate) => !candidate.valid)?.ticketNumber ?? null,
    referencedIds: referencedMessageIds({ inReplyTo: parsed.inReplyTo, references: parsed.references }),
    subjectNumber: extractSubjectTicketNumber(parsed.subject),
  };
}

/** One round trip for the whole batch: tickets by number and by referenced Message-ID, and participations. */
export async function lookupThreads(
  repository: IntakeRepository,
  items: readonly { item: BatchMail; keys: ThreadKeys }[],
  extraMessageIds: readonly string[],
): Promise<ThreadLookup> {
  const numbers = new Set<number>();
  const messageIds = new Set<string>(extraMessageIds);
  const pairs: { number: number; sender: string }[] = [];
  for (const { item, keys } of items) {
    if (keys.tokenNumber !== null) numbers.add(keys.tokenNumber);
    else if (keys.invalidTokenNumber !== null) numbers.add(keys.invalidTokenNumber);
    for (const id of keys.referencedIds) messageIds.add(id);
    if (keys.subjectNumber !== null && keys.tokenNumber === null) {
      numbers.add(keys.subjectNumber);
      pairs.push({ number: keys.subjectNumber, sender: item.sender });
    }
  }
  const [found, participations] = await Promise.all([
    repository.ticketsForThreading({ numbers: [...numbers], messageIds: [...messageIds] }),
    repository.participations(pairs),
  ]);
  const lookup: ThreadLookup = { ticketsById: new Map(), ticketsByNumber: new Map(), ticketIdByMessageId: found.byMessageId, participations };
  for (const ticket of found.tickets) {
    lookup.ticketsById.set(ticket.id, ticket);
    lookup.ticketsByNumber.set(ticket.number, ticket);
  }
  return lookup;
}

export type ThreadResolution<P> =
  | { kind: 'ticket'; ticket: TicketRow; via: 'token' | 'reference' | 'subject' }
  | { kind: 'pending'; pending: P }
  | { kind: 'none' };

/**
 * The ticket of one mail. `openedInBatch` maps the Message-IDs of mails that open tickets earlier
 * in the same batch to those tickets, so a quick reply to a brand-new ticket still joins it.
 */
export function resolveThread<P>(item: BatchMail, keys: ThreadKeys, lookup: ThreadLookup, openedInBatch: ReadonlyMap<string, P>): ThreadResolution<P> {
  const byToken = keys.tokenNumber !== null ? (lookup.ticketsByNumber.get(keys.tokenNumber)?.id ?? null) : null;
  let byReference: number | null = null;
  if (byToken === null) {
    for (const id of keys.referencedIds) {
      const hit = lookup.ticketIdByMessageId.get(id);
      if (hit !== undefined) {
        byReference = hit;
        break;
      }
    }
  }
  let bySubjectTag: { ticket: number; senderParticipates: boolean } | null = null;
  if (byToken === null && byReference === null && keys.subjectNumber !== null) {
    const candidate = lookup.ticketsByNumber.get(keys.subjectNumber);
    if (candidate) bySubjectTag = { ticket: candidate.id, senderParticipates: lookup.participations.has(participationKey(candidate.number, item.sender)) };
  }
  const decision = decideThread({ byToken, byReference, bySubjectTag });
  if (decision.ticket !== null) return { kind: 'ticket', ticket: lookup.ticketsById.get(decision.ticket)!, via: decision.via };
  if (byToken === null) {
    for (const id of keys.referencedIds) {
      const pending = openedInBatch.get(id);
      if (pending !== undefined) return { kind: 'pending', pending };
    }
  }
  return { kind: 'none' };
}
