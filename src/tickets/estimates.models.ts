// Estimates before the work (docs/domain.md, "Estimates"): what a technician's `#estimate 5h`
// asks of the customer under the plan's `quoteAbove` / `quoteRequires`, whether a customer's
// reply answers an approval request, where a ticket's estimate stands, and whether a time entry's
// work started before a required approval. Pure: events and texts in, decisions out.
import type { BillingConfig, TicketKind } from '../contracts/contracts.types.ts';
import { formatRate } from '../billing/billing-explanation.models.ts';
import { findQuotedRegion } from './reply-quoting.models.ts';
import type { TicketEvent } from './ticket-events.models.ts';

/** What an estimate asks of the customer: nothing (recorded only), a notice, or an approval before the work. */
export type EstimateRequirement = 'approval' | 'notice' | null;

/**
 * `notice` or `approval` (the plan's `quoteRequires`, `approval` when absent) for an estimate
 * strictly above the plan's `quoteAbove`; null at or below it, or when the plan sets none.
 */
export function estimateRequirement(billing: Pick<BillingConfig, 'quoteAboveMs' | 'quoteRequires'>, estimateMs: number): EstimateRequirement {
  if (billing.quoteAboveMs === null || estimateMs <= billing.quoteAboveMs) return null;
  return billing.quoteRequires ?? 'approval';
}

/**
 * The hourly rate an estimate's mail names ("1 000 NOK/h"): the technician's role's rate, else
 * the plan's default; null when the ticket's kind is free under the plan (nothing will be billed).
 * Out-of-hours rates are left out on purpose: the mail says "about", not a quote of every hour.
 */
export function estimateRate(billing: Pick<BillingConfig, 'ratesMinor' | 'currency' | 'freeKinds'>, role: string | null, kind: TicketKind): string | null {
  if (billing.freeKinds?.includes(kind)) return null;
  const rate = (role !== null ? billing.ratesMinor[role] : undefined) ?? billing.ratesMinor.default;
  return rate === undefined ? null : formatRate(rate, billing.currency);
}

export type ApprovalDecision = 'approve' | 'decline';

// Phrases that answer an approval request when they open the customer's own text. Lower-case,
// NFC, single spaces, apostrophes straight. Each language of the tag keywords (tags.models.ts).
const APPROVE_PHRASES = [
  // en
  'approve', 'approved', 'i approve', 'yes i approve', 'yes, i approve', 'yes, approved',
  // sv
  'godkänn', 'godkänner', 'godkänt', 'godkänd', 'jag godkänner', 'ja, jag godkänner',
  // nb
  'godkjenn', 'godkjent', 'godkjenner', 'jeg godkjenner', 'ja, jeg godkjenner',
  // nl
  'akkoord', 'goedgekeurd', 'goedkeuren', 'ik ga akkoord', 'ja, akkoord',
  // de
  'genehmigt', 'genehmigen', 'einverstanden', 'freigegeben', 'ich genehmige', 'ja, einverstanden',
  // fr
  'approuvé', 'approuve', "j'approuve", 'accepté', "d'accord", "oui, j'approuve",
];
const DECLINE_PHRASES = [
  // en
  'decline', 'declined', 'i decline', 'reject', 'rejected', 'not approved',
  // sv
  'avböj', 'avböjer', 'avböjt', 'jag avböjer', 'inte godkänt', 'ej godkänt',
  // nb
  'avslå', 'avslår', 'avslått', 'avvis', 'avviser', 'jeg avslår', 'ikke godkjent',
  // nl
  'afwijzen', 'afgewezen', 'niet akkoord', 'ik wijs af', 'niet goedgekeurd',
  // de
  'abgelehnt', 'ablehnen', 'nicht einverstanden', 'nicht genehmigt', 'ich lehne ab',
  // fr
  'refusé', 'refuse', 'je refuse', 'rejeté', "pas d'accord",
];
/**
 * Words that also start ordinary sentences ("Nej, skrivaren fungerar fortfarande inte"): they
 * answer only as the whole line.
 */
const WHOLE_LINE_DECLINE = ['nej', 'nei', 'nee', 'nein', 'non', 'no'];

/** A greeting line above the answer ("Hi Sofie,", "Hei,"), skipped once. */
const GREETING = /^(hi|hello|hey|dear|hej|hejsan|hei|hallo|hoi|beste|goedemorgen|goedemiddag|guten tag|bonjour|salut|god morgen|god dag)\b[^.!?]{0,40},?$/;

function normalizeLine(line: string): string {
  return line
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/^[\s*_~"'«„“]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// Longest first, so "yes i approve" is tried before a shorter phrase could claim the line.
const PHRASES: { phrase: string; decision: ApprovalDecision; wholeLine: boolean }[] = [
  ...APPROVE_PHRASES.map((phrase) => ({ phrase, decision: 'approve' as const, wholeLine: false })),
  ...DECLINE_PHRASES.map((phrase) => ({ phrase, decision: 'decline' as const, wholeLine: false })),
  ...WHOLE_LINE_DECLINE.map((phrase) => ({ phrase, decision: 'decline' as const, wholeLine: true })),
].sort((a, b) => b.phrase.length - a.phrase.length);

/** What may follow a phrase on its line: nothing but punctuation or emoji, or (`wholeLine` false) a separator and more words. */
function answersWith(line: string, entry: (typeof PHRASES)[number]): boolean {
  if (!line.startsWith(entry.phrase)) return false;
  const rest = line.slice(entry.phrase.length);
  // a question is never an answer ("Declined? Why?")
  if (line.includes('?')) return false;
  if (/^[^\p{L}\p{N}]*$/u.test(rest)) return true;
  return !entry.wholeLine && /^\s*[.,!;:\u2013\u2014-]/.test(rest);
}

/**
 * The answer a customer's reply gives to an approval request, or null when it gives none. The
 * rule, strict on purpose (an ordinary reply must never approve work): quoted text is never read;
 * the first non-empty line of the customer's own text (after one greeting line such as "Hi
 * Sofie,") must START with an answer phrase of any supported language (`Approved`, `Godkjent`,
 * `Akkoord`, `Avböjer`, `Not approved`, …) followed by nothing, punctuation or emoji, or by a
 * separator (`,` `.` `!` `;` `:` `-`) and more words ("Godkjent, sett i gang"). Bare `Nej`, `Nei`,
 * `Nee`, `No`, `Nein`, `Non` decline only as the whole line. A line holding a question mark never
 * answers. So "I don't approve of how long this takes" or a keyword further down is no answer.
 */
export function detectApprovalAnswer(text: string): ApprovalDecision | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const { end, headerLines } = findQuotedRegion(lines);
  let greetingSkipped = false;
  for (let index = 0; index < end; index += 1) {
    const raw = lines[index] ?? '';
    if (headerLines.has(index) || raw.trimStart().startsWith('>')) continue;
    const line = normalizeLine(raw);
    if (line === '') continue;
    if (!greetingSkipped && GREETING.test(line)) {
      greetingSkipped = true;
      continue;
    }
    return PHRASES.find((entry) => answersWith(line, entry))?.decision ?? null;
  }
  return null;
}

/** One estimate-family event of a ticket, with when it was recorded. */
export interface EstimateEventRecord {
  at: Date;
  event: Extract<TicketEvent, { type: 'estimate' | 'estimate_approved' | 'estimate_declined' }>;
}

export function isEstimateEvent(event: TicketEvent): event is EstimateEventRecord['event'] {
  return event.type === 'estimate' || event.type === 'estimate_approved' || event.type === 'estimate_declined';
}

/** Where a ticket's latest estimate stands at one instant. */
export interface EstimateState {
  /** the latest estimate at or before the instant; null when none was given */
  estimate: { at: Date; minutes: number; by: string; requires: EstimateRequirement } | null;
  /** the customer's answer to that estimate; null when none (or none needed) */
  answer: { decision: ApprovalDecision; at: Date; by: string } | null;
}

/**
 * The ticket's estimate as the events stand at `asOf` (every event when null). A new estimate
 * supersedes the one before it and its answer; an answer counts only for the estimate it names
 * (`estimateAt`), and only the first one. Events recorded before `requires` existed ask nothing.
 */
export function estimateStateAt(records: readonly EstimateEventRecord[], asOf: Date | null): EstimateState {
  const state: EstimateState = { estimate: null, answer: null };
  const sorted = [...records].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const { at, event } of sorted) {
    if (asOf !== null && at.getTime() > asOf.getTime()) break;
    if (event.type === 'estimate') {
      state.estimate = { at, minutes: event.minutes, by: event.by, requires: event.requires ?? null };
      state.answer = null;
      continue;
    }
    const current = state.estimate;
    if (current === null || state.answer !== null || current.requires !== 'approval') continue;
    if (event.estimateAt !== current.at.toISOString()) continue;
    state.answer = { decision: event.type === 'estimate_approved' ? 'approve' : 'decline', at, by: event.by };
  }
  return state;
}

/** The estimate still waits for the customer's answer: an approval was required and none came. */
export function awaitsApproval(state: EstimateState): boolean {
  return state.estimate?.requires === 'approval' && state.answer === null;
}

/**
 * Work that started while a required approval was pending, or after the customer declined, is
 * flagged `before-approval`: work started before the estimate was given, after an approval, or
 * under an estimate that asked no approval is not. Only logged work is flagged, never a
 * correction (it takes time back) nor an undo.
 */
export function workBeforeApproval(records: readonly EstimateEventRecord[], entry: { minutes: number; reversesEntryId: string | null; workStart: Date | null; at: Date }): boolean {
  if (entry.minutes <= 0 || entry.reversesEntryId !== null) return false;
  const state = estimateStateAt(records, entry.workStart ?? entry.at);
  return awaitsApproval(state) || state.answer?.decision === 'decline';
}
