// Opening hours as the contracts file writes them: a calendar's `hours` mapping and a plan's
// `billing.outOfHours.inside` text. This file only reads the YAML shapes; the hours themselves
// are compiled by src/calendar/opening-hours.models.ts, whose problems are reported here by path.
import { compileWeeklyHours, type HoursEntry } from '../calendar/opening-hours.models.ts';
import type { WeeklyHours } from '../calendar/calendar.types.ts';
import { isPlainObject } from '../shared/objects.ts';
import { INVALID, NAME_PATTERN, describeValue, leaf, type IssuePath, type Report } from './contracts.values.ts';

/** Compiles the entries and reports each problem at the path where it was written. */
function compileReporting(entries: HoursEntry[], report: Report): WeeklyHours {
  const { weekly, problems } = compileWeeklyHours(entries);
  for (const problem of problems) report(problem.message, problem.path);
  return weekly;
}

/** `hours: { mon-fri: ["08:00-12:00", "13:00-17:00"], sat: "10:00-14:00" }` */
export const weeklyHours = () =>
  leaf<WeeklyHours>((value, reportIssue) => {
    let reported = false;
    const report: Report = (message, path) => {
      reported = true;
      reportIssue(message, path);
    };
    if (!isPlainObject(value)) {
      report(`expected a mapping of days to ranges (e.g. mon-fri: "08:00-17:00"), got ${describeValue(value)}`);
      return INVALID;
    }
    const entries: HoursEntry[] = [];
    for (const [days, ranges] of Object.entries(value)) {
      if (typeof ranges === 'string') {
        entries.push({ days, keyPath: [days], ranges: [ranges], paths: [[days]] });
      } else if (Array.isArray(ranges)) {
        const texts: string[] = [];
        const paths: IssuePath[] = [];
        ranges.forEach((range, index) => {
          if (typeof range === 'string') {
            texts.push(range);
            paths.push([days, index]);
          } else {
            report(`expected a time range such as "08:00-17:00", got ${describeValue(range)}`, [days, index]);
          }
        });
        entries.push({ days, keyPath: [days], ranges: texts, paths });
      } else {
        report(`expected a time range such as "08:00-17:00" or a list of them, got ${describeValue(ranges)}`, [days]);
      }
    }
    const weekly = compileReporting(entries, report);
    // only when nothing else is wrong: a calendar whose every range is bad needs no second message
    if (Object.keys(weekly).length === 0 && !reported) report('opens on no day (give at least one range, e.g. mon-fri: "08:00-17:00")');
    return weekly;
  });

/**
 * `billing.outOfHours.inside`: the hours that bill at the normal rate, written like
 * `"mon-fri 08:00-20:00"` (several parts separated by `;`, ranges of one part by `,`), or a list
 * of such parts, or the name of a calendar of the file.
 */
export type InsideSpec = { kind: 'calendar'; name: string } | { kind: 'hours'; weekly: WeeklyHours };

export const insideSpec = () =>
  leaf<InsideSpec>((value, report) => {
    const parts: { text: string; path: IssuePath }[] = [];
    if (typeof value === 'string') {
      if (NAME_PATTERN.test(value.trim()) && !/\d:\d/.test(value)) return { kind: 'calendar', name: value.trim() };
      for (const part of value.split(';')) parts.push({ text: part.trim(), path: [] });
    } else if (Array.isArray(value)) {
      value.forEach((part, index) => {
        if (typeof part === 'string') parts.push({ text: part.trim(), path: [index] });
        else report(`expected e.g. "mon-fri 08:00-20:00", got ${describeValue(part)}`, [index]);
      });
    } else {
      report(`expected e.g. "mon-fri 08:00-20:00" or a calendar name, got ${describeValue(value)}`);
      return INVALID;
    }
    const entries: HoursEntry[] = [];
    for (const part of parts) {
      const match = /^(\S+)\s+(.+)$/.exec(part.text);
      if (!match) {
        report(`${JSON.stringify(part.text)} is not of the form "mon-fri 08:00-20:00"`, part.path);
        continue;
      }
      const ranges = (match[2] ?? '').split(',').map((range) => range.trim());
      entries.push({ days: match[1] ?? '', keyPath: part.path, ranges, paths: ranges.map(() => part.path) });
    }
    const weekly = compileReporting(entries, report);
    if (Object.keys(weekly).length === 0) report('covers no time at all');
    return { kind: 'hours', weekly };
  });
