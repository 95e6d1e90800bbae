// The periods of a time bank: which month, quarter, year or term holds an instant, for one
// contract, in one time zone. Pure: local dates are ordinals (days since 1970-01-01) and
// boundaries are the first instant of a local date (periods-local-time.models.ts).
//
// Rules:
// - Periods are half-open `[start, end)` and start at local midnight in the contract's zone
//   (the provider's, like contract dates).
// - `anchor: calendar` cuts calendar months, quarters (Jan/Apr/Jul/Oct) and years. A contract that
//   starts (or ends) inside one gets a SHORT period `[contract start, next calendar boundary)`.
//   Its allowance is pro rata by local days, rounded UP to a whole minute (`proRataAllowanceMinutes`):
//   15h per quarter from 2026-02-15 gives 900 × 45/90 = 450 minutes for 2026-02-15..2026-04-01.
// - `anchor: contract` counts whole months from the contract's start date: period k starts at
//   start + k × (1, 3 or 12) months, always computed from the start (never step by step) and
//   clamped to the last day of a shorter month: a start on Jan 31 gives Feb 28 (29), Mar 31, Apr 30 …
//   Only the contract's end can cut such a period short.
// - `per: term` is one period, `[contract start, contract end)`; open-ended without an end.
// - Outside `[contract start, contract end)` no period holds an instant (`periodAt` gives null).
import { formatOrdinal, ordinalOfParts, parseLocalDate, partsOfOrdinal } from '../calendar/local-date.models.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { ianaZone, localTimeOf, startOfLocalDate } from './periods-local-time.models.ts';

export type PeriodUnit = 'month' | 'quarter' | 'year' | 'term';
export type PeriodAnchor = 'calendar' | 'contract';

export interface PeriodScheme {
  per: PeriodUnit;
  anchor: PeriodAnchor;
  /** IANA zone of the contract dates: the provider's */
  timeZone: string;
  /** first local date of the contract, `YYYY-MM-DD` */
  contractStart: string;
  /** local date the contract ends (exclusive), `YYYY-MM-DD`; null when open-ended */
  contractEnd: string | null;
}

export interface BankPeriod {
  /** 0 for the period that holds the contract's start, then 1, 2, … */
  index: number;
  /** first local date */
  startDate: string;
  /** local date after the last one (exclusive); null for an open-ended term */
  endDate: string | null;
  startMs: number;
  /** null for an open-ended term */
  endMs: number | null;
  /** local days in the period; null for an open-ended term */
  days: number | null;
  /** local days of the whole calendar (or contract-anchored) period it is part of; days < fullDays means short */
  fullDays: number | null;
}

const MONTHS_PER: Readonly<Record<Exclude<PeriodUnit, 'term'>, number>> = { month: 1, quarter: 3, year: 12 };

function daysInMonth(year: number, month: number): number {
  return ordinalOfParts(year, month + 1, 1) - ordinalOfParts(year, month, 1);
}

/** `ordinal` + `months`, the day clamped to the target month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsClamped(ordinal: number, months: number): number {
  const { year, month, day } = partsOfOrdinal(ordinal);
  const total = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(total / 12);
  const targetMonth = total - targetYear * 12 + 1;
  return ordinalOfParts(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

function requireDate(text: string, what: string): number {
  const ordinal = parseLocalDate(text);
  if (ordinal === null) throw new HelpdeskError('usage.invalid', `${what} "${text}" is not a date (YYYY-MM-DD)`);
  return ordinal;
}

interface CompiledScheme {
  scheme: PeriodScheme;
  startOrdinal: number;
  endOrdinal: number | null;
  /** months per period; null for term */
  step: number | null;
  /** nominal start of period 0 */
  baseOrdinal: number;
}

function compile(scheme: PeriodScheme): CompiledScheme {
  ianaZone(scheme.timeZone);
  const startOrdinal = requireDate(scheme.contractStart, 'contract start');
  const endOrdinal = scheme.contractEnd === null ? null : requireDate(scheme.contractEnd, 'contract end');
  if (endOrdinal !== null && endOrdinal <= startOrdinal) {
    throw new HelpdeskError('usage.invalid', `contract end ${scheme.contractEnd} is not after its start ${scheme.contractStart}`);
  }
  if (scheme.per === 'term') return { scheme, startOrdinal, endOrdinal, step: null, baseOrdinal: startOrdinal };
  const step = MONTHS_PER[scheme.per];
  let baseOrdinal = startOrdinal;
  if (scheme.anchor === 'calendar') {
    const { year, month } = partsOfOrdinal(startOrdinal);
    const firstMonth = Math.floor((month - 1) / step) * step + 1;
    baseOrdinal = ordinalOfParts(year, firstMonth, 1);
  }
  return { scheme, startOrdinal, endOrdinal, step, baseOrdinal };
}

function nominalStart(compiled: CompiledScheme, index: number): number {
  return addMonthsClamped(compiled.baseOrdinal, index * (compiled.step ?? 0));
}

function buildPeriod(compiled: CompiledScheme, index: number): BankPeriod | null {
  const { scheme, startOrdinal, endOrdinal } = compiled;
  if (index < 0) return null;
  if (compiled.step === null) {
    if (index > 0) return null;
    const days = endOrdinal === null ? null : endOrdinal - startOrdinal;
    return {
      index,
      startDate: scheme.contractStart,
      endDate: scheme.contractEnd,
      startMs: startOfLocalDate(startOrdinal, scheme.timeZone),
      endMs: endOrdinal === null ? null : startOfLocalDate(endOrdinal, scheme.timeZone),
      days,
      fullDays: days,
    };
  }
  const fromNominal = nominalStart(compiled, index);
  const toNominal = nominalStart(compiled, index + 1);
  const from = Math.max(fromNominal, startOrdinal);
  const to = endOrdinal === null ? toNominal : Math.min(toNominal, endOrdinal);
  if (from >= to) return null;
  return {
    index,
    startDate: formatOrdinal(from),
    endDate: formatOrdinal(to),
    startMs: startOfLocalDate(from, scheme.timeZone),
    endMs: startOfLocalDate(to, scheme.timeZone),
    days: to - from,
    fullDays: toNominal - fromNominal,
  };
}

/** The period with this index (0 holds the contract's start); null when the contract has none. */
export function periodByIndex(scheme: PeriodScheme, index: number): BankPeriod | null {
  return buildPeriod(compile(scheme), index);
}

/** The period that holds the instant; null before the contract's start or from its end on. */
export function periodAt(scheme: PeriodScheme, atMs: number): BankPeriod | null {
  if (!Number.isFinite(atMs)) throw new HelpdeskError('usage.invalid', 'the instant is not a valid time');
  const compiled = compile(scheme);
  const { ordinal } = localTimeOf(atMs, scheme.timeZone);
  if (ordinal < compiled.startOrdinal || (compiled.endOrdinal !== null && ordinal >= compiled.endOrdinal)) return null;
  if (compiled.step === null) return buildPeriod(compiled, 0);
  const base = partsOfOrdinal(compiled.baseOrdinal);
  const here = partsOfOrdinal(ordinal);
  let index = Math.max(0, Math.floor(((here.year - base.year) * 12 + (here.month - base.month)) / compiled.step));
  // The month difference is off by one around clamped month ends (a period from the 31st).
  while (index > 0 && nominalStart(compiled, index) > ordinal) index -= 1;
  while (nominalStart(compiled, index + 1) <= ordinal) index += 1;
  return buildPeriod(compiled, index);
}

/**
 * The allowance of a period: the full amount, or for a short period (cut by the contract's
 * start or end) the share of its local days, rounded up to a whole minute. An open-ended term
 * gets the full amount.
 */
export function proRataAllowanceMinutes(allowanceMinutes: number, period: BankPeriod): number {
  if (period.days === null || period.fullDays === null || period.days >= period.fullDays) return allowanceMinutes;
  return Math.ceil((allowanceMinutes * period.days) / period.fullDays);
}

/** The instant `months` after a local date's first instant, the day clamped (a prepaid lot's expiry). */
export function localDatePlusMonths(date: string, months: number, timeZone: string): number {
  return startOfLocalDate(addMonthsClamped(requireDate(date, 'date'), months), timeZone);
}
