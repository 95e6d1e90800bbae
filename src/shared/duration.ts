// Duration syntax of the contracts file (CONTRACTS.md): 30s, 15m, 1h, 1h30m, 1.5h, 2d, SBD, NBD.
// `d` means business days of a calendar, so it cannot be turned into milliseconds here;
// SBD/NBD are calendar-relative too. Plain elapsed amounts are kept in whole milliseconds.

export type SlaDuration =
  | { kind: 'elapsed'; ms: number }
  | { kind: 'businessDays'; days: number }
  | { kind: 'sameBusinessDay' }
  | { kind: 'nextBusinessDay' };

const PART = /(\d+(?:\.\d+)?)(h|m|s)/gy;
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;

export const DURATION_HINT = 'use 1h, 90m, 1h30m, 30s, 2d, SBD, NBD';

/** Parses `30s`, `15m`, `1h30m`, `1.5h` into milliseconds; null when the text is not of that form. */
export function parseElapsed(text: string): number | null {
  const source = text.trim();
  if (source === '') return null;
  PART.lastIndex = 0;
  let ms = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = PART.exec(source)) !== null) {
    const amount = Number(match[1]);
    const unit = match[2] as keyof typeof UNIT_MS;
    ms += amount * UNIT_MS[unit];
    consumed = PART.lastIndex;
  }
  if (consumed !== source.length) return null;
  const rounded = Math.round(ms);
  return Number.isFinite(rounded) ? rounded : null;
}

/** Parses an SLA target value; null when it is not a valid duration. */
export function parseSlaDuration(text: string): SlaDuration | null {
  const source = text.trim();
  const upper = source.toUpperCase();
  if (upper === 'SBD') return { kind: 'sameBusinessDay' };
  if (upper === 'NBD') return { kind: 'nextBusinessDay' };
  const days = /^(\d+)d$/.exec(source);
  if (days) {
    const count = Number(days[1]);
    return count > 0 ? { kind: 'businessDays', days: count } : null;
  }
  const ms = parseElapsed(source);
  return ms !== null && ms > 0 ? { kind: 'elapsed', ms } : null;
}

/** Renders an elapsed duration the way the contracts file writes it (1h30m, 45m, 30s). */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 1000));
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const parts = [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${seconds}s` : ''].join('');
  return sign + (parts || '0m');
}

export function formatSlaDuration(duration: SlaDuration): string {
  switch (duration.kind) {
    case 'elapsed':
      return formatElapsed(duration.ms);
    case 'businessDays':
      return `${duration.days}d`;
    case 'sameBusinessDay':
      return 'SBD';
    case 'nextBusinessDay':
      return 'NBD';
  }
}
