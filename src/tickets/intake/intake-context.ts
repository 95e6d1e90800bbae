// What every part of one intake batch shares: the transaction, the contracts, the mail and SLA
// services, the instant the batch runs at, and what the batch has queued so far.
import type { ContractsConfig } from '../../contracts/contracts.types.ts';
import type { EndedContracts } from '../../contracts/routing.models.ts';
import type { Tx } from '../../db/client.ts';
import type { ParsedInbound } from '../../mail/inbound-parse.ts';
import type { Outbox } from '../../mail/outbox.usecases.ts';
import type { AutomationVerdict } from '../../mail/loop-detection.models.ts';
import type { SlaClocks } from '../../sla/sla-clocks.usecases.ts';
import type { SlaRepository } from '../../sla/sla.repository.ts';
import type { Logger } from '../../shared/logger.ts';
import type { TicketsRepository } from '../tickets.repository.ts';
import type { AckLedger } from './intake.models.ts';
import type { IntakeRepository } from './intake.repository.ts';

/** One fetched mail as the IMAP poller hands it over. */
export interface InboundMail {
  uid: number;
  internalDate: Date;
  raw: Buffer;
}

/** A parsed mail of the batch with what every step asks of it, computed once. */
export interface BatchMail {
  mail: InboundMail;
  parsed: ParsedInbound;
  /** normalised sender address */
  sender: string;
  automation: AutomationVerdict;
  rawMailId: number;
}

export interface IntakeServices {
  config: ContractsConfig;
  outbox: Outbox;
  sla: SlaClocks;
  secret: string;
  logger: Logger;
}

export interface BatchContext extends IntakeServices {
  tx: Tx;
  intake: IntakeRepository;
  tickets: TicketsRepository;
  clocks: SlaRepository;
  mailboxId: number;
  serviceAddress: string;
  /** when the batch runs (the injected clock): the age of a mail is measured against it */
  now: Date;
  acks: AckLedger;
  /** customer name → its row ids, read once per batch */
  customerIds: Map<string, { customerId: number; contractId: number | null }>;
  /** the batch's customers' prepaid accounts that ended (Postgres), for routing */
  endedContracts: EndedContracts;
  /** what the batch leaves to do after commit */
  effects: BatchEffects;
}

export interface BatchEffects {
  outboundIds: string[];
  /** technicians' notices and digests: queued behind acknowledgements */
  backgroundOutboundIds: string[];
  slaTicketIds: Set<number>;
  ticketsOpened: number[];
}

export function emptyEffects(): BatchEffects {
  return { outboundIds: [], backgroundOutboundIds: [], slaTicketIds: new Set(), ticketsOpened: [] };
}
