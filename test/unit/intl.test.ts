import { describe, expect, it } from 'vitest';
import { keptDateTimeFormat } from '../../src/shared/intl.ts';

describe('keptDateTimeFormat', () => {
  it('keeps one formatter per locale and options, and formats in the zone asked for', () => {
    const oslo = keptDateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' });
    expect(keptDateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' })).toBe(oslo);
    const utc = keptDateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    expect(utc).not.toBe(oslo);
    // 00:30 in Oslo on 1 March is still 28 February in UTC
    const at = new Date('2026-02-28T23:30:00Z');
    expect(oslo!.format(at)).toBe('2026-03-01');
    expect(utc!.format(at)).toBe('2026-02-28');
    expect(keptDateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo', month: 'long' })!.format(at)).toBe('mars');
  });

  it('answers null for a time zone Intl does not know, and keeps that answer', () => {
    expect(keptDateTimeFormat('en-GB', { timeZone: 'Mars/Olympus_Mons' })).toBeNull();
    expect(keptDateTimeFormat('en-GB', { timeZone: 'Mars/Olympus_Mons' })).toBeNull();
  });
});
