// Values shared by the tag parsers (tags.models.ts, time-tag.models.ts): the error codes a
// malformed tag line gets, and the durations technicians type (`45m`, `1h30`, `1,5h`, `45 min`).
import { parseElapsed } from '../shared/duration.ts';

export type TagErrorCode =
  | 'unknown-tag'
  | 'missing-value'
  | 'bare-number'
  | 'invalid-duration'
  | 'zero-duration'
  | 'invalid-status'
  | 'invalid-priority'
  | 'invalid-kind'
  | 'invalid-role'
  | 'several-roles'
  | 'conflicting-place'
  | 'unexpected-value'
  | 'duplicate-tag'
  | 'missing-start'
  | 'invalid-start'
  | 'several-starts'
  | 'missing-reason'
  /** `#assign` names no mail address */
  | 'invalid-address'
  /** `#assign` names an address that is not one of the provider's technicians (technician-reply.usecases.ts) */
  | 'unknown-technician'
  /** resolving a written start (resolveWorkInterval): the start lies after the mail was written */
  | 'start-after-mail';

export interface Failure {
  ok: false;
  code: TagErrorCode;
  reason: string;
}
export type Outcome<T> = { ok: true; value: T } | Failure;
export const fail = (code: TagErrorCode, reason: string): Failure => ({ ok: false, code, reason });

// Units people type after a number, in our four languages: h/t/u (hour/time/timme/uur), m/min.
const UNIT_ALIASES: Readonly<Record<string, 'h' | 'm' | 's'>> = {
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h', t: 'h', tim: 'h', timme: 'h', timmar: 'h', timer: 'h', time: 'h', u: 'h', uur: 'h',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm', minuter: 'm', minutter: 'm', minuten: 'm',
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
};

const DURATION_HINT = 'use e.g. 45m, 1h30m or 1.5h';

/**
 * Duration from the first one or two arguments (`45m`, `1h30`, `1,5h`, `45 min`), always above
 * zero; `used` says how many arguments it took. `sign` only changes what the messages show
 * (`-30` → "add a unit: -30m"), the caller strips the sign itself.
 */
export function parseDurationArgs(keyword: string, args: readonly string[], sign = ''): Outcome<{ ms: number; used: number }> {
  const first = args[0];
  if (first === undefined || first === '') return fail('missing-value', `#${keyword} needs a duration, e.g. #${keyword} ${sign}45m`);
  let token = first.toLowerCase().replace(/^(\d+),(\d+)/, '$1.$2');
  let used = 1;
  if (/^\d+(\.\d+)?$/.test(token)) {
    const unit = args[1]?.toLowerCase();
    if (unit !== undefined && UNIT_ALIASES[unit] !== undefined) {
      token += unit;
      used = 2;
    } else {
      // A bare number is ambiguous (minutes? hours?), and a wrong guess bills the customer.
      return fail('bare-number', `add a unit: ${sign}${first}m`);
    }
  }
  let normalized = token.replace(/(\d)([a-z]+)/g, (whole, digit: string, unit: string) => {
    const alias = UNIT_ALIASES[unit];
    return alias === undefined ? whole : digit + alias;
  });
  // `1h30` and `1:30` mean an hour and a half in every language we serve.
  normalized = normalized.replace(/^(\d+)h(\d{1,2})$/, '$1h$2m').replace(/^(\d+):([0-5]\d)$/, '$1h$2m');
  const ms = parseElapsed(normalized);
  if (ms === null) return fail('invalid-duration', `"${sign}${first}" is not a duration (${DURATION_HINT})`);
  if (ms <= 0) return fail('zero-duration', 'the duration must be more than zero');
  return { ok: true, value: { ms, used } };
}
