// A technician's `#time`, `#time -30m reason` and `#undo` lines become time entries: the work
// interval resolved in the provider's zone, priced under the ticket's plan, drawn from the
// customer's time bank, and answered with a receipt (docs/domain.md, "Time and money"). A tag the
// plan cannot price stores nothing and comes back as a refusal for the tag-errors mail. An entry
// that changes what other entries of the ticket bill adds an adjustment row for each of them
// (time-entry-pricing.models.ts), in the same transaction.
import { DateTime } from 'luxon';
import { createPlanPricingCache, type PlanPricing } from '../billing/billing.models.ts';
import { isUnknownRateRoleError } from '../billing/billing.errors.ts';
import { formatAmount } from '../billing/billing-explanation.models.ts';
import type { ContractsConfig, Technician, TicketKind } from '../contracts/contracts.types.ts';
import type { DbOrTx } from '../db/client.ts';
import type { OutboundRequest } from '../mail/outbox.usecases.ts';
import { findQuotedRegion } from './reply-quoting.models.ts';
import { parseTechnicianReply, resolveWorkInterval, type Tag } from './tags.models.ts';
import { contractNotices } from './time-bank-notices.usecases.ts';
import { computeContractLedger, minutesLeftAt, type ContractLedger } from './time-bank.usecases.ts';
import { explanationWithDraws, formatMinutes } from './time-bank-terms.models.ts';
import { createTimeEntriesRepository, type TicketContractRef, type TimeEntriesRepository, type TimeEntryRow, type TimeEntryWithTicket } from './time-entries.repository.ts';
import {
  adjustmentExplanation,
  priceCorrection,
  priceNewEntry,
  ticketTotalNote,
  type EntryForPricing,
  type TicketRepricing,
} from './time-entry-pricing.models.ts';
import type { TicketRow } from './tickets.repository.ts';

const MINUTE_MS = 60_000;

/** A `#time`-family line of the technician's own text, in the order the reply parser returns its tags. */
export interface TimeTagLine {
  line: string;
  lineNumber: number;
}

/**
 * The lines of `text` that hold `#time`, `#time -…` and (the first) `#undo` tags, in order: the
 * k-th is the line of the reply's k-th such tag. Each line is parsed on its own, with the quoted
 * part of the reply left out as the reply parser leaves it out.
 */
export function timeTagLines(text: string): TimeTagLine[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const { end, headerLines } = findQuotedRegion(lines);
  const found: TimeTagLine[] = [];
  let undoSeen = false;
  for (let index = 0; index < end; index += 1) {
    const line = lines[index] ?? '';
    if (headerLines.has(index) || line.trimStart().startsWith('>')) continue;
    const [tag] = parseTechnicianReply(line).tags;
    if (tag?.type === 'undo' && undoSeen) continue;
    if (tag?.type === 'undo') undoSeen = true;
    if (tag?.type === 'time' || tag?.type === 'correction' || tag?.type === 'undo') found.push({ line, lineNumber: index + 1 });
  }
  return found;
}

export type TimeTag = Extract<Tag, { type: 'time' | 'correction' | 'undo' }>;

/** What the receipt tells the technician about one entry. */
export interface TimeReceipt {
  entry: TimeEntryRow;
  action: 'time' | 'correction' | 'undo';
  /** the entry's explanation with its bank draws */
  explanation: string;
  /** prepaid minutes left for work at the entry's time; null when the contract keeps no bank */
  bankLeftMinutes: number | null;
  /** exclusive end of the bank period that holds the entry's work; null without one */
  bankPeriodEnd: number | null;
}

export type TimeTagOutcome =
  /**
   * `notices`: mails to queue in the same transaction (the bank reached 80 % or 100 % this period,
   * a prepaid account ended); each has an idempotency key, so one queued again sends nothing
   */
  | { ok: true; receipt: TimeReceipt; notices: OutboundRequest[] }
  /** stored before (the same line of the same mail): nothing to do */
  | { ok: true; receipt: null; notices: [] }
  /** `code` names the refusal for the tag-errors mail, which says it in the technician's language */
  | { ok: false; reason: string; code: string; roles?: string };

export interface TimeTagInput {
  ticket: TicketRow;
  /** the ticket's kind at this tag (an earlier `#kind` line of the same mail counts) */
  kind: TicketKind;
  technician: Technician;
  tag: TimeTag;
  /** when the mail was written: a `#time` without a start ends here */
  mailDate: Date;
  at: Date;
  messageRowId: number;
  /** ticket + source Message-ID + line: a reply delivered twice adds time once */
  idempotencyKey: string;
  /** Message-IDs the mail answers (In-Reply-To, References): `#undo` finds its receipt among them */
  answers: readonly string[];
}

const pricingCaches = new WeakMap<ContractsConfig, (planKey: string) => PlanPricing>();

/** One pricing cache per loaded contracts file, shared by every reply handled with it. */
function pricingFor(config: ContractsConfig, planKey: string): PlanPricing | null {
  if (!config.plans[planKey]) return null;
  let cache = pricingCaches.get(config);
  if (!cache) {
    cache = createPlanPricingCache(config);
    pricingCaches.set(config, cache);
  }
  return cache(planKey);
}

function forPricing(row: TimeEntryWithTicket): EntryForPricing {
  const workEnd = row.workEnd ?? row.at;
  return {
    id: row.id,
    minutes: row.minutes,
    role: row.role,
    onsite: row.onsite,
    kind: row.kind ?? row.ticketKind,
    workStart: row.workStart ?? new Date(workEnd.getTime() - Math.max(0, row.minutes) * MINUTE_MS),
    workEnd,
    reversesEntryId: row.reversesEntryId,
    at: row.at,
    billableMinutes: row.billableMinutes,
    freeMinutes: row.freeMinutes,
    amountMinor: row.amountMinor,
  };
}

/**
 * When a correction or adjustment row of this change is settled: its writing time, but after every
 * such row stored before on the ticket. The ledger settles them with the entry they correct and
 * takes one entry's corrections in (work end, id) order; two written in the same second must not
 * swap places by their random ids.
 */
function correctionMoment(stored: readonly EntryForPricing[], at: Date): Date {
  const latest = Math.max(-Infinity, ...stored.filter((entry) => entry.reversesEntryId !== null).map((entry) => entry.workEnd.getTime()));
  return new Date(Math.max(at.getTime(), latest + 1));
}

/** Logs one `#time`-family tag. Runs inside the reply's transaction. */
export async function applyTimeTag(tx: DbOrTx, config: ContractsConfig, input: TimeTagInput): Promise<TimeTagOutcome> {
  const repository = createTimeEntriesRepository({ db: tx });
  const { ticket, tag } = input;
  const pricing = pricingFor(config, ticket.planKey);
  // Before reading anything: entries of the same contract logged at the same time by another
  // reply would otherwise be priced and drawn without each other.
  const ref = await repository.contractOfTicket(ticket.id);
  if (ref) await repository.lockContractLedger(ref);
  const stored = (await repository.listByTicket(ticket.id)).map(forPricing);
  const base = {
    ticketId: ticket.id,
    messageId: input.messageRowId,
    technician: input.technician.email,
    kind: input.kind,
    idempotencyKey: input.idempotencyKey,
    currency: pricing?.plan.billing.currency ?? config.plans[config.defaultPlan]?.billing.currency ?? 'EUR',
    at: input.at,
  };
  let inserted: TimeEntryRow | null;
  /** the other entries this one re-prices, and what caused it (for their explanations) */
  let repriced: TicketRepricing | null = null;
  let cause = '';

  if (tag.type === 'time') {
    const interval = resolveWorkInterval(tag, input.mailDate, config.provider.timezone);
    if (!interval.ok) return { ok: false, reason: interval.reason, code: interval.code };
    const minutes = Math.ceil(tag.ms / MINUTE_MS);
    const workStart = new Date(interval.value.startMs);
    const workEnd = new Date(interval.value.endMs);
    let priced = null;
    if (pricing) {
      try {
        const result = priceNewEntry(pricing, stored, { minutes, workStart, workEnd, onsite: tag.onsite, kind: input.kind, taggedRole: tag.role, technicianRole: input.technician.role }, input.at);
        priced = result.priced;
        repriced = result;
      } catch (error) {
        // The plan has no rate for the role written in the tag: refused whole, nothing stored.
        if (isUnknownRateRoleError(error)) return { ok: false, reason: error.message, code: 'unknown-role', roles: error.roles.join(', ') };
        throw error;
      }
    }
    // the price as the entry states it; the ledger appends the bank draws to `explanation` later
    const priceExplanation = priced ? `${priced.explanation}${ticketTotalNote(repriced!, base.currency)}` : '';
    inserted = await repository.insertTimeEntry({
      ...base,
      role: priced?.role ?? tag.role ?? input.technician.role,
      onsite: tag.onsite,
      minutes,
      billableMinutes: priced?.billableMinutes ?? minutes,
      freeMinutes: priced ? priced.loggedMinutes - priced.chargeableMinutes : 0,
      overageMinutes: priced?.billableMinutes ?? minutes,
      amountMinor: priced?.amountMinor ?? 0,
      priceExplanation,
      explanation: priceExplanation,
      workStart,
      workEnd,
    });
    cause = `${formatMinutes(minutes)} logged for ${DateTime.fromJSDate(workEnd, { zone: config.provider.timezone }).toFormat('yyyy-MM-dd HH:mm')}`;
  } else {
    const target = await correctionTarget(repository, input);
    if (!target.ok) return target;
    const change = tag.type === 'correction' ? Math.round(tag.ms / MINUTE_MS) : -target.entry.minutes;
    const correction = pricing ? priceCorrection(pricing, stored, target.entry.id, change) : null;
    if (!correction || correction.minutes === 0) {
      return { ok: false, reason: `entry ${formatMinutes(target.entry.minutes)} of ${target.entry.at.toISOString()} has no time left to take back`, code: 'nothing-left' };
    }
    const reason = tag.type === 'correction' ? tag.reason : '#undo';
    const correctionLine =
      `${formatMinutes(correction.minutes)} (${reason}): ${formatMinutes(correction.netBefore)} → ${formatMinutes(correction.netAfter)} logged, ` +
      `${correction.billableBefore}m → ${correction.billableAfter}m billed = ${formatAmount(correction.amountMinor, correction.currency)}` +
      ticketTotalNote(correction, correction.currency);
    const moment = correctionMoment(stored, input.at);
    repriced = correction;
    cause = `${reason} of ${formatMinutes(-correction.minutes)}`;
    inserted = await repository.insertTimeEntry({
      ...base,
      role: target.entry.role,
      onsite: target.entry.onsite,
      minutes: correction.minutes,
      billableMinutes: correction.billableMinutes,
      freeMinutes: correction.freeMinutes,
      overageMinutes: correction.billableMinutes,
      amountMinor: correction.amountMinor,
      priceExplanation: correctionLine,
      explanation: correctionLine,
      reversesEntryId: target.entry.id,
      reason,
      // A correction happens when it is written; it is settled with the entry it corrects.
      workStart: moment,
      workEnd: moment,
    });
  }
  if (!inserted) return { ok: true, receipt: null, notices: [] };
  if (repriced && repriced.adjustments.length > 0) await insertAdjustments(repository, { base, stored, repriced, cause, by: inserted });
  const settled = await settleAndDescribe(repository, config, ref, inserted, tag.type);
  const notices =
    ref && settled.computed
      ? await contractNotices(tx, config, { ref, computed: settled.computed, periodIndex: settled.periodIndex, at: input.at, fromAddress: ticket.serviceAddress })
      : [];
  return { ok: true, receipt: settled.receipt, notices };
}

/**
 * One adjustment row per other entry whose price the change made differ from what its rows
 * recorded: no minutes, the difference in billed and free minutes and amount, naming the entry it
 * adjusts (the ledger settles it there, so the bank gets back or gives what that entry drew).
 */
async function insertAdjustments(
  repository: TimeEntriesRepository,
  change: { base: { ticketId: number; messageId: number; technician: string; currency: string; at: Date; idempotencyKey: string }; stored: EntryForPricing[]; repriced: TicketRepricing; cause: string; by: TimeEntryRow },
): Promise<void> {
  const { base, repriced } = change;
  const moment = correctionMoment(change.stored, base.at);
  for (const adjustment of repriced.adjustments) {
    const explanation = adjustmentExplanation(adjustment, change.cause, base.currency);
    await repository.insertTimeEntry({
      ...base,
      idempotencyKey: `${base.idempotencyKey}:reprice:${adjustment.rootId}`,
      kind: adjustment.kind,
      role: adjustment.role,
      onsite: adjustment.onsite,
      minutes: 0,
      billableMinutes: adjustment.difference.billableMinutes,
      freeMinutes: adjustment.difference.freeMinutes,
      overageMinutes: adjustment.difference.billableMinutes,
      amountMinor: adjustment.difference.amountMinor,
      priceExplanation: explanation,
      explanation,
      reversesEntryId: adjustment.rootId,
      reason: `re-priced by entry ${change.by.id}`,
      workStart: moment,
      workEnd: moment,
    });
  }
}

/** `#undo`: the entry of the receipt the mail answers. `#time -30m`: the technician's newest entry on the ticket. */
async function correctionTarget(
  repository: TimeEntriesRepository,
  input: TimeTagInput,
): Promise<{ ok: true; entry: TimeEntryRow } | { ok: false; reason: string; code: string }> {
  if (input.tag.type === 'undo') {
    const entry = await repository.findByReceiptMessageId(input.ticket.id, input.answers);
    if (!entry) return { ok: false, reason: 'reply #undo to the receipt of the time entry to take back (this mail answers no receipt of this ticket)', code: 'undo-no-receipt' };
    return { ok: true, entry };
  }
  const entry = await repository.newestOrdinaryEntry(input.ticket.id, input.technician.email);
  if (!entry) return { ok: false, reason: 'you have logged no time on this ticket to take back', code: 'nothing-logged' };
  return { ok: true, entry };
}

/**
 * Computes the customer's ledger with the new entry, stores every entry's draws that changed, and
 * describes the new one; also the ledger and the period the entry drew from, for the notices.
 */
async function settleAndDescribe(
  repository: TimeEntriesRepository,
  config: ContractsConfig,
  ref: TicketContractRef | null,
  entry: TimeEntryRow,
  action: TimeReceipt['action'],
): Promise<{ receipt: TimeReceipt; computed: ContractLedger | null; periodIndex: number | null }> {
  const computed = ref ? await computeContractLedger(repository, config, ref, { asOf: null, apply: true }) : null;
  if (!computed) {
    return { receipt: { entry, action, explanation: entry.explanation, bankLeftMinutes: null, bankPeriodEnd: null }, computed: null, periodIndex: null };
  }
  // The ledger stored the entry's draws and its explanation with them: read it back.
  const stored = computed.rows.find((row) => row.id === entry.id);
  const draws = computed.ledger.entries.find((candidate) => candidate.entryId === entry.id);
  const lotMinutes = draws?.fromLots.reduce((total, lot) => total + lot.minutes, 0) ?? 0;
  const explanation = explanationWithDraws(stored?.priceExplanation ?? entry.priceExplanation, { fromBankMinutes: draws?.fromBankMinutes ?? 0, lotMinutes, overageMinutes: draws?.overageMinutes ?? 0 }, true);
  const moment = (entry.workEnd ?? entry.at).getTime() - 1;
  const left = minutesLeftAt(computed.ledger, moment);
  return {
    receipt: { entry, action, explanation, bankLeftMinutes: left.minutes, bankPeriodEnd: left.periodEnd },
    computed,
    periodIndex: draws?.periodIndex ?? null,
  };
}

/** The receipt's variables (technician-time-receipt templates), times in the provider's zone. */
export function receiptVars(receipt: TimeReceipt, timeZone: string): Record<string, unknown> {
  const local = (date: Date | null) => (date ? DateTime.fromJSDate(date, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm') : null);
  const lastDay =
    receipt.bankPeriodEnd === null ? null : DateTime.fromMillis(receipt.bankPeriodEnd, { zone: timeZone }).minus({ days: 1 }).toFormat('yyyy-MM-dd');
  return {
    action: receipt.action,
    logged: formatMinutes(receipt.entry.minutes),
    workStart: receipt.action === 'time' ? local(receipt.entry.workStart) : null,
    workEnd: receipt.action === 'time' ? local(receipt.entry.workEnd) : null,
    timeZone,
    explanation: receipt.explanation,
    reason: receipt.entry.reason,
    bankLeft: receipt.bankLeftMinutes === null ? null : formatMinutes(receipt.bankLeftMinutes),
    bankUntil: lastDay,
  };
}
