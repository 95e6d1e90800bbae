// SLA clocks in Postgres: start, pause, resume, meet, recompute, and what a timer does when
// it fires. The arithmetic is in sla.models.ts and calendar.models.ts; this file only loads
// rows, applies those pure functions, and saves what changed (with the version bumped).
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { createBusinessCalendar } from '../calendar/calendar.models.ts';
import type { BusinessCalendar } from '../calendar/calendar.types.ts';
import type { ContractsConfig, Locale, PlanConfig, Priority, SlaTargetName } from '../contracts/contracts.types.ts';
import { SLA_TARGETS } from '../contracts/contracts.types.ts';
import { contractsTable } from '../contracts/contracts.tables.ts';
import type { Database, DbOrTx, Tx } from '../db/client.ts';
import { formatDeadline, formatRemaining } from '../mail/format.models.ts';
import type { Outbox } from '../mail/outbox.usecases.ts';
import { formatSlaDuration } from '../shared/duration.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { ticketEventsTable, ticketsTable } from '../tickets/tickets.tables.ts';
import {
  breachClock,
  clockStatus,
  meetClock,
  pauseClock,
  recomputeClock,
  resolveTarget,
  resumeClock,
  startClock,
  type SlaClock,
  type TicketKind,
} from './sla.models.ts';
import { slaClocksTable } from './sla.tables.ts';

export type SlaClockRow = typeof slaClocksTable.$inferSelect;
export type TimerStage = 'warn' | 'breach';

export interface TimerRequest {
  ticketId: number;
  target: SlaTargetName;
  stage: TimerStage;
  version: number;
  at: Date;
  queuePriority: number;
}

export interface NewTicketClocks {
  id: number;
  planKey: string;
  priority: string;
  kind: string;
  createdAt: Date;
}

export interface SlaService {
  calendar(key: string): BusinessCalendar;
  /** the clocks a new ticket starts with (no I/O), for startClocks and for the ack's promise */
  planClocks(ticket: NewTicketClocks): (typeof slaClocksTable.$inferInsert & { target: SlaTargetName; deadline: Date })[];
  startClocks(tx: Tx, planned: ReturnType<SlaService['planClocks']>): Promise<SlaClockRow[]>;
  pause(tx: Tx, ticketId: number, at: Date): Promise<void>;
  resume(tx: Tx, ticketId: number, at: Date): Promise<void>;
  /** returns true when the clock changed */
  meet(tx: Tx, ticketId: number, target: SlaTargetName, at: Date): Promise<boolean>;
  meetAll(tx: Tx, ticketId: number, at: Date): Promise<void>;
  /** a resolved ticket reopened by the customer: its resolution promise runs again from now */
  reopen(tx: Tx, ticketId: number, at: Date): Promise<void>;
  recompute(tx: Tx, ticketId: number, at: Date): Promise<void>;
  /** timers every running clock of these tickets needs (for scheduling after commit) */
  timersFor(db: DbOrTx, ticketIds: number[] | 'all'): Promise<TimerRequest[]>;
  /** what a fired timer does; returns outbound mail ids to enqueue */
  fire(timer: { ticketId: number; target: SlaTargetName; stage: TimerStage; version: number }, now: Date): Promise<{ outboundIds: string[]; outcome: string }>;
}

function toClock(row: SlaClockRow): SlaClock {
  return {
    target: row.target as SlaTargetName,
    calendarKey: row.calendarKey,
    startedAt: row.startedAt,
    deadline: row.deadline,
    pausedAt: row.pausedAt,
    pausedBusinessMs: row.pausedBusinessMs,
    metAt: row.metAt,
    breachedAt: row.breachedAt,
    version: row.version,
  };
}

export function createSlaService(deps: { db: Database; config: ContractsConfig; outbox: Outbox }): SlaService {
  const { db, config, outbox } = deps;
  const calendars = new Map<string, BusinessCalendar>();

  function calendar(key: string): BusinessCalendar {
    let cal = calendars.get(key);
    if (!cal) {
      const def = config.calendars[key];
      if (!def) throw new HelpdeskError('calendar.invalid', `unknown calendar "${key}"`);
      cal = createBusinessCalendar(def);
      calendars.set(key, cal);
    }
    return cal;
  }

  function plan(key: string): PlanConfig {
    const p = config.plans[key];
    if (!p) throw new HelpdeskError('contract.unknown_plan', `unknown plan "${key}"`);
    return p;
  }

  /** Warn when `warnAt` of the running (unpaused) business time has passed. */
  function warnInstant(clock: SlaClock, share: number): Date {
    const cal = calendar(clock.calendarKey);
    const total = cal.businessTimeBetween(clock.startedAt, clock.deadline) - clock.pausedBusinessMs;
    return cal.addBusinessTime(clock.startedAt, Math.max(0, Math.floor(total * share)) + clock.pausedBusinessMs);
  }

  async function load(tx: DbOrTx, ticketId: number, lock = true): Promise<SlaClockRow[]> {
    const q = tx.select().from(slaClocksTable).where(eq(slaClocksTable.ticketId, ticketId));
    return lock ? q.for('update') : q;
  }

  async function save(tx: Tx, ticketId: number, before: SlaClockRow, after: SlaClock, warnShare: number): Promise<boolean> {
    if (after.version === before.version) return false;
    await tx
      .update(slaClocksTable)
      .set({
        calendarKey: after.calendarKey,
        deadline: after.deadline,
        warnAt: warnInstant(after, warnShare),
        pausedAt: after.pausedAt,
        pausedBusinessMs: after.pausedBusinessMs,
        metAt: after.metAt,
        breachedAt: after.breachedAt,
        version: after.version,
        updatedAt: new Date(),
      })
      .where(and(eq(slaClocksTable.ticketId, ticketId), eq(slaClocksTable.target, before.target)));
    return true;
  }

  async function ticketOf(tx: DbOrTx, ticketId: number) {
    const rows = await tx.select().from(ticketsTable).where(eq(ticketsTable.id, ticketId));
    const t = rows[0];
    if (!t) throw new HelpdeskError('ticket.not_found', `ticket id ${ticketId} not found`);
    return t;
  }

  async function applyAll(tx: Tx, ticketId: number, change: (clock: SlaClock) => SlaClock): Promise<boolean> {
    const ticket = await ticketOf(tx, ticketId);
    const share = plan(ticket.planKey).sla.warnAt;
    let changed = false;
    for (const row of await load(tx, ticketId)) {
      if (await save(tx, ticketId, row, change(toClock(row)), share)) changed = true;
    }
    return changed;
  }

  async function escalationMail(tx: Tx, row: SlaClockRow, stage: TimerStage, now: Date): Promise<string[]> {
    const ticket = await ticketOf(tx, row.ticketId);
    const p = plan(ticket.planKey);
    let accountManager: string | null = null;
    if (ticket.contractId !== null) {
      const c = await tx.select({ am: contractsTable.accountManager }).from(contractsTable).where(eq(contractsTable.id, ticket.contractId));
      accountManager = c[0]?.am ?? null;
    }
    const technicians = config.provider.technicians;
    // Warning: the contract's account manager, else every technician. Breach: the account
    // manager and the provider's managers.
    const recipients =
      stage === 'warn'
        ? accountManager
          ? [accountManager]
          : technicians.map((t) => t.email)
        : [...new Set([...(accountManager ? [accountManager] : []), ...config.provider.managers])];
    const customerName = ticket.customerId === null ? null : await customerNameOf(tx, ticket.customerId);
    const ids: string[] = [];
    for (const to of recipients) {
      const locale: Locale = technicians.find((t) => t.email === to)?.locale ?? config.provider.locale;
      const kind = stage === 'warn' ? 'sla-warning' : 'sla-breach';
      const id = await outbox.queue(tx, {
        idempotencyKey: `${kind}:${row.ticketId}:${row.target}:${row.version}:${to}`,
        kind,
        locale,
        to: [to],
        ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject, serviceAddress: ticket.serviceAddress },
        automatic: true,
        at: now,
        vars: {
          ticketNumber: ticket.number,
          subject: ticket.subject,
          customerName,
          planTitle: p.title,
          target: row.target,
          targetText: row.targetText,
          deadline: formatDeadline(row.deadline, config.provider.timezone, locale),
          remaining: formatRemaining(Math.abs(row.deadline.getTime() - now.getTime()), locale),
          overdue: now.getTime() > row.deadline.getTime(),
          requester: ticket.requester,
        },
      });
      if (id) ids.push(id);
    }
    return ids;
  }

  async function breachAnnounced(tx: DbOrTx, ticketId: number, target: SlaTargetName): Promise<boolean> {
    const rows = await tx.execute<{ n: number }>(
      sql`select count(*)::int as n from ${ticketEventsTable} where ticket_id = ${ticketId} and type = 'sla_breach' and data->>'target' = ${target}`,
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  async function customerNameOf(tx: DbOrTx, customerId: number): Promise<string | null> {
    const rows = await tx.execute<{ name: string }>(sql`select name from customers where id = ${customerId}`);
    return rows[0]?.name ?? null;
  }

  return {
    calendar,

    planClocks(ticket) {
      const p = plan(ticket.planKey);
      const planned = [];
      for (const target of SLA_TARGETS) {
        const resolved = resolveTarget(p, target, ticket.priority as Priority, ticket.kind as TicketKind);
        if (!resolved) continue;
        const clock = startClock({ target, calendarKey: resolved.calendarKey, calendar: calendar(resolved.calendarKey), duration: resolved.duration, at: ticket.createdAt });
        planned.push({
          ticketId: ticket.id,
          target,
          calendarKey: clock.calendarKey,
          targetText: formatSlaDuration(resolved.duration),
          startedAt: clock.startedAt,
          deadline: clock.deadline,
          warnAt: warnInstant(clock, p.sla.warnAt),
          version: clock.version,
        });
      }
      return planned;
    },

    async startClocks(tx, planned) {
      if (planned.length === 0) return [];
      // one statement for every target of the ticket (intake's hot path)
      return tx.insert(slaClocksTable).values(planned).onConflictDoNothing().returning();
    },

    async pause(tx, ticketId, at) {
      await applyAll(tx, ticketId, (c) => pauseClock(c, at));
    },

    async resume(tx, ticketId, at) {
      await applyAll(tx, ticketId, (c) => resumeClock(c, calendar(c.calendarKey), at));
    },

    async meet(tx, ticketId, target, at) {
      const ticket = await ticketOf(tx, ticketId);
      const row = (await load(tx, ticketId)).find((r) => r.target === target);
      if (!row) return false;
      const after = meetClock(toClock(row), at);
      const changed = await save(tx, ticketId, row, after, plan(ticket.planKey).sla.warnAt);
      if (changed) {
        await tx.insert(ticketEventsTable).values({ ticketId, type: 'sla_met', data: { target, late: after.breachedAt !== null }, at });
      }
      return changed;
    },

    async meetAll(tx, ticketId, at) {
      await applyAll(tx, ticketId, (c) => meetClock(c, at));
    },

    async reopen(tx, ticketId, at) {
      // The resolution promise was kept (or broken) once and stays on record; a reopened ticket
      // gets a fresh resolution clock from the reopening instant, as a new version.
      const ticket = await ticketOf(tx, ticketId);
      const p = plan(ticket.planKey);
      const resolved = resolveTarget(p, 'resolution', ticket.priority as Priority, ticket.kind as TicketKind);
      const row = (await load(tx, ticketId)).find((r) => r.target === 'resolution');
      if (!resolved || !row) return;
      const fresh = startClock({ target: 'resolution', calendarKey: resolved.calendarKey, calendar: calendar(resolved.calendarKey), duration: resolved.duration, at });
      const next: SlaClock = { ...fresh, version: row.version + 1 };
      await tx
        .update(slaClocksTable)
        .set({ startedAt: at, deadline: next.deadline, warnAt: warnInstant(next, p.sla.warnAt), pausedAt: null, pausedBusinessMs: 0, metAt: null, breachedAt: null, warnedAt: null, version: next.version, updatedAt: new Date() })
        .where(and(eq(slaClocksTable.ticketId, ticketId), eq(slaClocksTable.target, 'resolution')));
    },

    async recompute(tx, ticketId, at) {
      const ticket = await ticketOf(tx, ticketId);
      const p = plan(ticket.planKey);
      for (const row of await load(tx, ticketId)) {
        const resolved = resolveTarget(p, row.target as SlaTargetName, ticket.priority as Priority, ticket.kind as TicketKind);
        if (!resolved) continue;
        const after = recomputeClock(toClock(row), { calendar: calendar(resolved.calendarKey), calendarKey: resolved.calendarKey, duration: resolved.duration });
        if (await save(tx, ticketId, row, after, p.sla.warnAt)) {
          await tx.update(slaClocksTable).set({ targetText: formatSlaDuration(resolved.duration) }).where(and(eq(slaClocksTable.ticketId, ticketId), eq(slaClocksTable.target, row.target)));
          await tx.insert(ticketEventsTable).values({ ticketId, type: 'sla_recomputed', data: { target: row.target, deadline: after.deadline.toISOString() }, at });
        }
      }
    },

    async timersFor(tx, ticketIds) {
      if (ticketIds !== 'all' && ticketIds.length === 0) return [];
      const running = and(isNull(slaClocksTable.metAt), isNull(slaClocksTable.breachedAt), isNull(slaClocksTable.pausedAt));
      const where = ticketIds === 'all' ? running : and(running, inArray(slaClocksTable.ticketId, ticketIds));
      const rows = await tx
        .select({ clock: slaClocksTable, queuePriority: ticketsTable.queuePriority })
        .from(slaClocksTable)
        .innerJoin(ticketsTable, eq(ticketsTable.id, slaClocksTable.ticketId))
        .where(where);
      const out: TimerRequest[] = [];
      for (const { clock, queuePriority } of rows) {
        const base = { ticketId: clock.ticketId, target: clock.target as SlaTargetName, version: clock.version, queuePriority };
        if (!clock.warnedAt) out.push({ ...base, stage: 'warn', at: clock.warnAt });
        out.push({ ...base, stage: 'breach', at: clock.deadline });
      }
      return out;
    },

    async fire(timer, now) {
      return db.transaction(async (tx) => {
        const row = (await load(tx, timer.ticketId)).find((r) => r.target === timer.target);
        // Postgres is the truth: a job for an older version of the clock does nothing.
        if (!row) return { outboundIds: [], outcome: 'no-clock' };
        if (timer.stage === 'breach' && row.breachedAt && !(await breachAnnounced(tx, timer.ticketId, timer.target))) {
          // The breach was recorded elsewhere (a pause or a late reply in the moments before
          // this job ran, bumping the version): it still deserves its escalation, once.
          await tx.insert(ticketEventsTable).values({ ticketId: timer.ticketId, type: 'sla_breach', data: { target: timer.target, deadline: row.deadline.toISOString() }, at: now });
          return { outboundIds: await escalationMail(tx, row, 'breach', now), outcome: 'breached' };
        }
        if (row.version !== timer.version) return { outboundIds: [], outcome: 'stale' };
        const clock = toClock(row);
        const status = clockStatus(clock);
        if (status !== 'running') return { outboundIds: [], outcome: status };
        if (timer.stage === 'warn') {
          if (row.warnedAt) return { outboundIds: [], outcome: 'already-warned' };
          if (now.getTime() < row.warnAt.getTime()) return { outboundIds: [], outcome: 'early' };
          await tx.update(slaClocksTable).set({ warnedAt: now }).where(and(eq(slaClocksTable.ticketId, timer.ticketId), eq(slaClocksTable.target, timer.target)));
          await tx.insert(ticketEventsTable).values({ ticketId: timer.ticketId, type: 'sla_warning', data: { target: timer.target, deadline: row.deadline.toISOString() }, at: now });
          return { outboundIds: await escalationMail(tx, row, 'warn', now), outcome: 'warned' };
        }
        const after = breachClock(clock, now);
        if (after.version === clock.version) return { outboundIds: [], outcome: 'early' };
        const ticket = await ticketOf(tx, timer.ticketId);
        await save(tx, timer.ticketId, row, after, plan(ticket.planKey).sla.warnAt);
        await tx.insert(ticketEventsTable).values({ ticketId: timer.ticketId, type: 'sla_breach', data: { target: timer.target, deadline: row.deadline.toISOString() }, at: now });
        return { outboundIds: await escalationMail(tx, { ...row, version: after.version }, 'breach', now), outcome: 'breached' };
      });
    },
  };
}
