// The SLA use cases on the Alert! plan of examples/trinax.yaml (response 1h, office hours
// 08–17 Stockholm, warning at 75 %), with the clocks kept in memory instead of Postgres.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { createSlaClocks, type SlaClocks } from '../../src/sla/sla-clocks.usecases.ts';
import type { SlaTicket } from '../../src/sla/sla.models.ts';
import type { SlaClockRow, SlaRepository } from '../../src/sla/sla.repository.ts';

const t = (iso: string) => new Date(iso);
const ticket: SlaTicket = { id: 1, planKey: 'alert', priority: 'P3', kind: 'request' };
/** Monday 9 March 2026, 10:00 in Stockholm: response due 11:00, warning at 10:45. */
const OPENED = t('2026-03-09T10:00:00+01:00');

/** The clocks repository over an array: the same reads and writes, no database. */
function inMemoryClocks(): SlaRepository & { rows: SlaClockRow[] } {
  const rows: SlaClockRow[] = [];
  const find = (ticketId: number, target: string) => rows.find((r) => r.ticketId === ticketId && r.target === target);
  return {
    rows,
    async insertClocks(planned) {
      const inserted = planned.map(
        (p): SlaClockRow => ({
          ticketId: p.ticketId,
          target: p.target,
          calendarKey: p.calendarKey,
          targetText: p.targetText,
          startedAt: p.startedAt,
          deadline: p.deadline,
          warnAt: p.warnAt,
          pausedAt: null,
          pausedBusinessMs: 0,
          metAt: null,
          breachedAt: null,
          warnedAt: null,
          version: p.version,
          updatedAt: p.startedAt,
        }),
      );
      rows.push(...inserted);
    },
    async findClocksForUpdate(ticketId) {
      return rows.filter((r) => r.ticketId === ticketId).map((r) => ({ ...r }));
    },
    async saveClock(ticketId, clock, warnAt, targetText) {
      Object.assign(find(ticketId, clock.target)!, { ...clock, warnAt, ...(targetText === undefined ? {} : { targetText }) });
    },
    async restartClock(ticketId, clock, warnAt) {
      Object.assign(find(ticketId, clock.target)!, { ...clock, warnAt, pausedAt: null, pausedBusinessMs: 0, metAt: null, breachedAt: null, warnedAt: null });
    },
    async markWarned(ticketId, target, at) {
      find(ticketId, target)!.warnedAt = at;
    },
  };
}

let sla: SlaClocks;

beforeAll(async () => {
  const config = await loadContractsFile(fileURLToPath(new URL('../../examples/trinax.yaml', import.meta.url)));
  sla = createSlaClocks({ config });
});

async function openedTicket() {
  const clocks = inMemoryClocks();
  await clocks.insertClocks(sla.planClocks({ ...ticket, createdAt: OPENED }));
  return clocks;
}

const responseTimer = (stage: 'warn' | 'breach', version: number) => ({ ticketId: 1, target: 'response' as const, stage, version });
const never = async () => {
  throw new Error('breachAnnounced must not be asked here');
};

describe('planClocks', () => {
  it('plans the response clock of an Alert! ticket with its deadline and warning instant', () => {
    expect(sla.planClocks({ ...ticket, createdAt: OPENED })).toEqual([
      {
        ticketId: 1,
        target: 'response',
        calendarKey: 'office',
        targetText: '1h',
        startedAt: OPENED,
        deadline: t('2026-03-09T11:00:00+01:00'),
        warnAt: t('2026-03-09T10:45:00+01:00'),
        version: 1,
      },
    ]);
  });
});

describe('fireTimer', () => {
  it('sends a warning timer that fired early back to its instant, then warns once', async () => {
    const clocks = await openedTicket();
    expect(await sla.fireTimer(clocks, ticket, responseTimer('warn', 1), t('2026-03-09T10:44:59.990+01:00'), never)).toEqual({
      action: 'reschedule',
      dueAt: t('2026-03-09T10:45:00+01:00'),
    });

    const warned = await sla.fireTimer(clocks, ticket, responseTimer('warn', 1), t('2026-03-09T10:45:00+01:00'), never);
    expect(warned).toMatchObject({
      action: 'escalate',
      stage: 'warn',
      clock: { version: 1 },
      fact: { type: 'sla_warning', target: 'response', deadline: '2026-03-09T10:00:00.000Z' },
    });
    expect(clocks.rows[0]!.warnedAt).toEqual(t('2026-03-09T10:45:00+01:00'));
    expect(await sla.fireTimer(clocks, ticket, responseTimer('warn', 1), t('2026-03-09T10:46:00+01:00'), never)).toEqual({ action: 'none', reason: 'already-warned' });
  });

  it('records the breach at the deadline as a new version, and a second breach job is stale', async () => {
    const clocks = await openedTicket();
    expect(await sla.fireTimer(clocks, ticket, responseTimer('breach', 1), t('2026-03-09T10:59:59+01:00'), never)).toEqual({
      action: 'reschedule',
      dueAt: t('2026-03-09T11:00:00+01:00'),
    });
    const breached = await sla.fireTimer(clocks, ticket, responseTimer('breach', 1), t('2026-03-09T11:00:02+01:00'), never);
    expect(breached).toMatchObject({ action: 'escalate', stage: 'breach', clock: { version: 2 }, fact: { type: 'sla_breach', target: 'response' } });
    expect(clocks.rows[0]).toMatchObject({ breachedAt: t('2026-03-09T11:00:00+01:00'), version: 2 });

    const announced = async () => true;
    expect(await sla.fireTimer(clocks, ticket, responseTimer('breach', 1), t('2026-03-09T11:00:03+01:00'), announced)).toEqual({ action: 'none', reason: 'stale' });
  });

  it('still escalates, once, a breach that a pause recorded before the breach job ran', async () => {
    const clocks = await openedTicket();
    // Paused at 11:30, past the 11:00 deadline: the pause records the breach (version 2).
    await sla.pauseClocks(clocks, ticket, t('2026-03-09T11:30:00+01:00'));
    expect(clocks.rows[0]).toMatchObject({ breachedAt: t('2026-03-09T11:00:00+01:00'), pausedAt: null, version: 2 });

    const notYet = async () => false;
    expect(await sla.fireTimer(clocks, ticket, responseTimer('breach', 1), t('2026-03-09T11:30:01+01:00'), notYet)).toMatchObject({
      action: 'escalate',
      stage: 'breach',
      clock: { version: 2 },
    });
    const already = async () => true;
    expect(await sla.fireTimer(clocks, ticket, responseTimer('breach', 1), t('2026-03-09T11:30:02+01:00'), already)).toEqual({ action: 'none', reason: 'stale' });
  });
});

describe('pause and resume', () => {
  it('moves the deadline and the warning on by the paused half hour, and the old timers are stale', async () => {
    const clocks = await openedTicket();
    await sla.pauseClocks(clocks, ticket, t('2026-03-09T10:15:00+01:00'));
    expect(await sla.fireTimer(clocks, ticket, responseTimer('warn', 1), t('2026-03-09T10:45:00+01:00'), never)).toEqual({ action: 'none', reason: 'stale' });
    await sla.resumeClocks(clocks, ticket, t('2026-03-09T10:45:00+01:00'));
    // 60 running minutes: 45 of them and the 30 paused ones after 10:00 is 11:15.
    expect(clocks.rows[0]).toMatchObject({
      deadline: t('2026-03-09T11:30:00+01:00'),
      warnAt: t('2026-03-09T11:15:00+01:00'),
      pausedBusinessMs: 30 * 60_000,
      version: 3,
    });
    expect(await sla.fireTimer(clocks, ticket, responseTimer('warn', 3), t('2026-03-09T11:15:00+01:00'), never)).toMatchObject({ action: 'escalate', stage: 'warn' });
  });
});

describe('meetTarget', () => {
  it('returns the met fact the first time only', async () => {
    const clocks = await openedTicket();
    expect(await sla.meetTarget(clocks, ticket, 'response', t('2026-03-09T10:30:00+01:00'))).toEqual([{ type: 'sla_met', target: 'response', late: false }]);
    expect(await sla.meetTarget(clocks, ticket, 'response', t('2026-03-09T10:31:00+01:00'))).toEqual([]);
    expect(await sla.meetTarget(clocks, ticket, 'intervention', t('2026-03-09T10:31:00+01:00'))).toEqual([]);
  });

  it('reports a reply after the deadline as late', async () => {
    const clocks = await openedTicket();
    expect(await sla.meetTarget(clocks, ticket, 'response', t('2026-03-09T11:05:00+01:00'))).toEqual([{ type: 'sla_met', target: 'response', late: true }]);
  });
});
