// How fast are SLA deadlines, and are they right? Measures computeDeadline over realistic
// calendars and targets, and checks elapsed targets against a deliberately naive reference that
// steps one minute at a time (and is orders of magnitude slower: the reason the real code
// works on cached per-day intervals). Run: node --import tsx bench/sla-compute.ts [seconds]
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { createBusinessCalendar } from '../src/calendar/calendar.models.ts';
import type { BusinessCalendar, CalendarDefinition, OpeningRange } from '../src/calendar/calendar.types.ts';
import type { SlaDuration } from '../src/shared/duration.ts';
import { computeDeadline } from '../src/sla/sla.models.ts';
import { mulberry32 } from './prng.ts';

const MINUTE_MS = 60_000;
const INPUTS = 100_000;

const range = (startHour: number, endHour: number): OpeningRange => ({ startMinute: startHour * 60, endMinute: endHour * 60 });
const weekdays = (...ranges: OpeningRange[]): CalendarDefinition['weekly'] => ({ 1: ranges, 2: ranges, 3: ranges, 4: ranges, 5: ranges });
const everyDay = (...ranges: OpeningRange[]): CalendarDefinition['weekly'] => ({ ...weekdays(...ranges), 6: ranges, 7: ranges });

const DEFINITIONS: CalendarDefinition[] = [
  { name: 'office-se', timezone: 'Europe/Stockholm', holidays: { region: 'SE', closeTypes: ['public'] }, closedDates: ['2026-12-24', '2027-12-24'], weekly: weekdays(range(8, 17)) },
  { name: 'always', timezone: 'Europe/Stockholm', holidays: null, closedDates: [], weekly: everyDay(range(0, 24)) },
  { name: 'mixvoip-lu', timezone: 'Europe/Luxembourg', holidays: { region: 'LU', closeTypes: ['public'] }, closedDates: [], weekly: everyDay(range(7, 19)) },
  { name: 'lunch-no', timezone: 'Europe/Oslo', holidays: { region: 'NO', closeTypes: ['public'] }, closedDates: [], weekly: weekdays(range(8, 12), range(13, 16)) },
];


interface Input {
  calendarIndex: number;
  duration: SlaDuration;
  from: Date;
}

function randomInputs(count: number, random: () => number): Input[] {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const minutesInRange = (Date.parse('2028-01-01T00:00:00Z') - start) / MINUTE_MS;
  const inputs: Input[] = [];
  for (let i = 0; i < count; i++) {
    const pick = random();
    let duration: SlaDuration;
    if (pick < 0.55) duration = { kind: 'elapsed', ms: (30 + Math.floor(random() * (24 * 60 - 30 + 1))) * MINUTE_MS };
    else if (pick < 0.8) duration = { kind: 'businessDays', days: 1 + Math.floor(random() * 5) };
    else if (pick < 0.9) duration = { kind: 'sameBusinessDay' };
    else duration = { kind: 'nextBusinessDay' };
    inputs.push({
      calendarIndex: Math.floor(random() * DEFINITIONS.length),
      duration,
      // whole minutes, so the minute-stepping reference can be exact
      from: new Date(start + Math.floor(random() * minutesInRange) * MINUTE_MS),
    });
  }
  return inputs;
}

// ---------------------------------------------------------------------------------------------
// The naive reference: one minute at a time, luxon for every minute, holidays straight from
// date-holidays. Shares nothing with calendar.models.ts but the definition.

function createMinuteSteppingCalendar(def: CalendarDefinition): { addElapsed(from: number, ms: number): number } {
  const closedByYear = new Map<number, Set<string>>();
  const closeTypes = new Set<string>(def.holidays?.closeTypes ?? []);
  function closedDates(year: number): Set<string> {
    let dates = closedByYear.get(year);
    if (!dates) {
      dates = new Set(def.closedDates);
      if (def.holidays) {
        const [country = '', state] = def.holidays.region.split('-');
        for (const holiday of new Holidays(country, state ?? '').getHolidays(year)) {
          if (closeTypes.has(holiday.type)) dates.add(holiday.date.slice(0, 10));
        }
      }
      closedByYear.set(year, dates);
    }
    return dates;
  }
  function isOpenMinute(ms: number): boolean {
    const local = DateTime.fromMillis(ms, { zone: def.timezone });
    if (closedDates(local.year).has(local.toISODate() ?? '')) return false;
    const minute = local.hour * 60 + local.minute;
    const ranges = def.weekly[local.weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7] ?? [];
    return ranges.some((r) => minute >= r.startMinute && minute < r.endMinute);
  }
  return {
    addElapsed(from, ms) {
      let at = from;
      let remaining = ms;
      while (remaining > 0) {
        if (isOpenMinute(at)) remaining -= MINUTE_MS;
        at += MINUTE_MS;
      }
      return at;
    },
  };
}

// ---------------------------------------------------------------------------------------------

export async function runDeadlineComputeBench(opts: { seconds?: number }): Promise<{
  fastPerSecond: number;
  referencePerSecond: number;
  ratio: number;
  mismatches: number;
  /** how many elapsed targets the reference computed and compared */
  referenceSamples: number;
}> {
  const budgetMs = (opts.seconds ?? 2) * 1000;
  const random = mulberry32(20260101);
  const calendars: BusinessCalendar[] = DEFINITIONS.map(createBusinessCalendar);
  const inputs = randomInputs(INPUTS, random);

  // warm-up: fills the per-day caches (as a long-running worker would have them) and lets V8 optimise
  let checksum = 0;
  for (const input of inputs) checksum += computeDeadline(calendars[input.calendarIndex]!, input.duration, input.from).getTime() % 7;

  let fastCount = 0;
  const fastStart = performance.now();
  let fastElapsed = 0;
  while (fastElapsed < budgetMs) {
    for (let i = 0; i < 10_000; i++) {
      const input = inputs[(fastCount + i) % INPUTS]!;
      checksum += computeDeadline(calendars[input.calendarIndex]!, input.duration, input.from).getTime() % 7;
    }
    fastCount += 10_000;
    fastElapsed = performance.now() - fastStart;
  }

  const references = DEFINITIONS.map(createMinuteSteppingCalendar);
  const elapsedInputs = inputs.filter((input) => input.duration.kind === 'elapsed');
  let referenceCount = 0;
  let mismatches = 0;
  const referenceStart = performance.now();
  let referenceElapsed = 0;
  while (referenceElapsed < budgetMs && referenceCount < elapsedInputs.length) {
    const input = elapsedInputs[referenceCount]!;
    const ms = input.duration.kind === 'elapsed' ? input.duration.ms : 0;
    const expected = references[input.calendarIndex]!.addElapsed(input.from.getTime(), ms);
    referenceCount++;
    referenceElapsed = performance.now() - referenceStart;
    const actual = computeDeadline(calendars[input.calendarIndex]!, input.duration, input.from).getTime();
    if (actual !== expected) mismatches++;
  }
  if (checksum < 0) console.log(checksum); // keeps the measured work observable

  const fastPerSecond = (fastCount / fastElapsed) * 1000;
  const referencePerSecond = (referenceCount / referenceElapsed) * 1000;
  return { fastPerSecond, referencePerSecond, ratio: fastPerSecond / referencePerSecond, mismatches, referenceSamples: referenceCount };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.argv[2] ?? 2);
  const result = await runDeadlineComputeBench({ seconds });
  console.log(`computeDeadline (mixed targets, 4 calendars): ${Math.round(result.fastPerSecond).toLocaleString('en')} /s`);
  console.log(`minute-stepping reference (elapsed targets):  ${result.referencePerSecond.toFixed(1)} /s`);
  console.log(`ratio: ${Math.round(result.ratio).toLocaleString('en')}x, mismatches: ${result.mismatches} of ${result.referenceSamples} compared`);
}
