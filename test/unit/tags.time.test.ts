import { describe, expect, it } from 'vitest';
import { parseTechnicianReply, resolveWorkInterval } from '../../src/tickets/tags.models.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

const tagsOf = (text: string) => parseTechnicianReply(text).tags;
const errorsOf = (text: string) => parseTechnicianReply(text).errors.map(({ code, reason }) => ({ code, reason }));

describe('#time with a start', () => {
  it('reads "from" and a time of day, in the keyword languages', () => {
    const start = { date: null, hour: 18, minute: 0 };
    expect(tagsOf('#time 2h from 18:00')).toEqual([{ type: 'time', ms: 2 * HOUR, role: null, onsite: false, start }]);
    expect(tagsOf('#tid 2h från 18:00\n#tid 2t fra kl. 18.00\n#tijd 2u vanaf 18:00\n#zeit 2h ab 18:00').map((tag) => tag.type === 'time' && tag.start)).toEqual([
      start,
      start,
      start,
      start,
    ]);
  });

  it('reads a date and a start time, with or without "from", and keeps role and place around them', () => {
    expect(tagsOf('#time 1h30m 2026-11-20 07:30')).toEqual([
      { type: 'time', ms: 90 * MIN, role: null, onsite: false, start: { date: '2026-11-20', hour: 7, minute: 30 } },
    ]);
    expect(tagsOf('#time 1h30m engineer from 2026-11-20 7:30 onsite')).toEqual([
      { type: 'time', ms: 90 * MIN, role: 'engineer', onsite: true, start: { date: '2026-11-20', hour: 7, minute: 30 } },
    ]);
    expect(tagsOf('#time 45m 2026-11-20T07:30 remote')).toEqual([
      { type: 'time', ms: 45 * MIN, role: null, onsite: false, start: { date: '2026-11-20', hour: 7, minute: 30 } },
    ]);
  });

  it('says why a start cannot be read', () => {
    expect(errorsOf('#time 2h from')).toEqual([{ code: 'missing-start', reason: '"from" needs a start time (e.g. from 18:00, or 2026-11-20 07:30)' }]);
    expect(errorsOf('#time 2h from 25:00')).toEqual([{ code: 'invalid-start', reason: '"25:00" is not a time of day (e.g. from 18:00, or 2026-11-20 07:30)' }]);
    expect(errorsOf('#time 2h 2026-02-30 10:00')).toEqual([{ code: 'invalid-start', reason: '"2026-02-30" is not a date (e.g. from 18:00, or 2026-11-20 07:30)' }]);
    expect(errorsOf('#time 2h 2026-11-20')).toEqual([{ code: 'missing-start', reason: 'give the start time after the date (e.g. from 18:00, or 2026-11-20 07:30)' }]);
    expect(errorsOf('#time 2h from 18:00 from 19:00')).toEqual([{ code: 'several-starts', reason: 'one start per line (e.g. from 18:00, or 2026-11-20 07:30)' }]);
  });

  it('refuses a bare time after the duration rather than guess it is a start', () => {
    expect(errorsOf('#time 45m 18:00')).toEqual([{ code: 'invalid-start', reason: 'write "from 18:00" to give the start (a time alone could be a second duration)' }]);
  });
});

describe('#time corrections and #undo', () => {
  it('reads a negative entry with its reason, as written', () => {
    expect(tagsOf('#time -30m Wrong ticket, sorry')).toEqual([{ type: 'correction', ms: -30 * MIN, reason: 'Wrong ticket, sorry' }]);
    expect(tagsOf('#tid −1h30 dubbelregistrerat')).toEqual([{ type: 'correction', ms: -90 * MIN, reason: 'dubbelregistrerat' }]);
    expect(tagsOf('#time: -45 min logged twice')).toEqual([{ type: 'correction', ms: -45 * MIN, reason: 'logged twice' }]);
  });

  it('refuses a negative entry without a reason, without a unit, or of zero', () => {
    expect(errorsOf('#time -30m')).toEqual([{ code: 'missing-reason', reason: 'say why the time is taken back, e.g. #time -30m logged on the wrong ticket' }]);
    expect(errorsOf('#time -30 wrong')).toEqual([{ code: 'bare-number', reason: 'add a unit: -30m' }]);
    expect(errorsOf('#time -0m oops')).toEqual([{ code: 'zero-duration', reason: 'the duration must be more than zero' }]);
    expect(errorsOf('#time -abc oops')).toEqual([{ code: 'invalid-duration', reason: '"-abc" is not a duration (use e.g. 45m, 1h30m or 1.5h)' }]);
  });

  it('reads #undo in every keyword language, with no value, once per mail', () => {
    expect(tagsOf('#undo')).toEqual([{ type: 'undo' }]);
    expect(['#ångra', '#angre', '#ongedaan', '#UNDO'].map((line) => tagsOf(line))).toEqual([[{ type: 'undo' }], [{ type: 'undo' }], [{ type: 'undo' }], [{ type: 'undo' }]]);
    expect(errorsOf('#undo 30m')).toEqual([{ code: 'unexpected-value', reason: '#undo takes no value: reply #undo to the receipt of the entry to take back' }]);
    expect(parseTechnicianReply('#undo\n#undo').errors.map((e) => e.code)).toEqual(['duplicate-tag']);
  });

  it('allows several time lines of both signs in one mail', () => {
    expect(tagsOf('#time 1h\n#time -15m typo above').map((tag) => tag.type)).toEqual(['time', 'correction']);
  });
});

describe('resolveWorkInterval: when the work was done, in the provider’s zone', () => {
  const zone = 'Europe/Stockholm';
  const mail = Date.parse('2026-11-20T18:40:00Z'); // 19:40 local (CET)
  const iso = (outcome: ReturnType<typeof resolveWorkInterval>): string[] => {
    if (!outcome.ok) throw new Error(outcome.reason);
    return [new Date(outcome.value.startMs).toISOString(), new Date(outcome.value.endMs).toISOString()];
  };

  it('ends the work when the mail was written when no start is given', () => {
    expect(iso(resolveWorkInterval({ ms: 45 * MIN, start: null }, mail, zone))).toEqual(['2026-11-20T17:55:00.000Z', '2026-11-20T18:40:00.000Z']);
  });

  it('puts a time of day on the mail’s local day, or on the day before when it is later than the mail', () => {
    expect(iso(resolveWorkInterval({ ms: 2 * HOUR, start: { date: null, hour: 18, minute: 0 } }, mail, zone))).toEqual([
      '2026-11-20T17:00:00.000Z',
      '2026-11-20T19:00:00.000Z',
    ]);
    expect(iso(resolveWorkInterval({ ms: HOUR, start: { date: null, hour: 23, minute: 0 } }, new Date('2026-11-20T23:40:00Z'), zone))).toEqual([
      '2026-11-20T22:00:00.000Z',
      '2026-11-20T23:00:00.000Z',
    ]);
    expect(iso(resolveWorkInterval({ ms: HOUR, start: { date: null, hour: 20, minute: 0 } }, mail, zone))).toEqual([
      '2026-11-19T19:00:00.000Z',
      '2026-11-19T20:00:00.000Z',
    ]);
  });

  it('takes a written date and time as they are, and refuses a start after the mail', () => {
    expect(iso(resolveWorkInterval({ ms: 90 * MIN, start: { date: '2026-11-20', hour: 7, minute: 30 } }, mail, zone))).toEqual([
      '2026-11-20T06:30:00.000Z',
      '2026-11-20T08:00:00.000Z',
    ]);
    expect(resolveWorkInterval({ ms: HOUR, start: { date: '2026-11-21', hour: 7, minute: 30 } }, mail, zone)).toEqual({
      ok: false,
      code: 'start-after-mail',
      reason: 'the start 2026-11-21 07:30 is after the mail was written',
    });
  });

  it('resolves starts that DST skips or repeats the same way every time', () => {
    // 02:30 on 2026-03-29 does not exist in Stockholm: 03:30 CEST. On 2026-10-25 it exists twice: the first.
    const spring = Date.parse('2026-03-29T10:00:00Z');
    expect(iso(resolveWorkInterval({ ms: HOUR, start: { date: null, hour: 2, minute: 30 } }, spring, zone))[0]).toBe('2026-03-29T01:30:00.000Z');
    const autumn = Date.parse('2026-10-25T10:00:00Z');
    expect(iso(resolveWorkInterval({ ms: HOUR, start: { date: '2026-10-25', hour: 2, minute: 30 } }, autumn, 'Europe/Amsterdam'))[0]).toBe('2026-10-25T00:30:00.000Z');
  });
});
