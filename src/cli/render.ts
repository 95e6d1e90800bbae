// Human-readable output of the CLI (the --json forms are the stable interface).
import { DateTime } from 'luxon';
import type { OutboxEntry } from '../tickets/outbox.queries.ts';
import type { TicketDetail, TicketSummary } from '../tickets/tickets.queries.ts';

export function printTicketList(list: TicketSummary[]): void {
  if (list.length === 0) {
    console.log('no tickets');
    return;
  }
  const rows = list.map((t) => [`#${t.number}`, t.status, t.priority, t.plan, t.customer ?? '(no contract)', t.requester, t.owner ?? '-', t.subject.slice(0, 50)]);
  const header = ['number', 'status', 'prio', 'plan', 'customer', 'requester', 'owner', 'subject'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

/** A ticket as `helpdesk ticket N --json` prints it: the ticket and each outgoing mail's state. */
export type TicketWithOutgoing = TicketDetail & { outgoing: OutboxEntry[] };

/** An ISO instant as local time in the ticket's zone, e.g. `2026-03-06 10:12` (null stays `-`). */
function localTime(iso: string | null | undefined, zone: string): string {
  if (!iso) return '-';
  const at = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return at.isValid ? at.toFormat('yyyy-MM-dd HH:mm') : iso;
}

export function printTicket(t: TicketWithOutgoing): void {
  const at = (iso: string | null | undefined) => localTime(iso, t.timeZone);
  console.log(`#${t.number} ${t.subject}`);
  console.log(`  times in ${t.timeZone}`);
  console.log(`  status ${t.status}, ${t.priority} ${t.kind}, plan ${t.plan}, customer ${t.customer ?? '(no contract)'}, requester ${t.requester}`);
  console.log(`  owner ${t.owner ?? '(none yet)'}`);
  console.log(`  created ${at(t.createdAt)}`);
  for (const target of ['response', 'intervention', 'resolution'] as const) {
    const deadline = t.deadlines[target];
    if (!deadline) continue;
    const state = t.met[target] ? `met ${at(t.met[target])}` : t.breached[target] ? 'BREACHED' : t.paused ? 'paused' : 'running';
    console.log(`  ${target.padEnd(12)} due ${at(deadline)}  ${state}${t.breached[target] && t.met[target] ? ' (late)' : ''}`);
  }
  console.log('  messages:');
  for (const m of t.messages) {
    console.log(`    ${at(m.at)} ${m.direction === 'in' ? '<-' : '->'} ${m.direction === 'in' ? m.from : m.to.join(', ')}  ${m.subject}${m.internal ? '  [internal]' : ''}`);
  }
  if (t.outgoing.length) {
    // Sent or not, and why not: a failed acknowledgement must not look like a sent one.
    console.log('  outgoing mail:');
    for (const o of t.outgoing) {
      const when = o.state === 'sent' ? ` ${at(o.sentAt)}` : o.attempts > 0 ? ` after ${o.attempts} tr${o.attempts === 1 ? 'y' : 'ies'}` : '';
      console.log(`    ${o.kind.padEnd(14)} ${o.state === 'sent' ? 'sent' : o.state.toUpperCase()}${when}  -> ${o.to.join(', ')}  (${o.id})`);
      if (o.state !== 'sent' && o.lastError) console.log(`      error: ${o.lastError}`);
    }
  }
  if (t.timeEntries.length) {
    console.log('  time:');
    for (const e of t.timeEntries) {
      console.log(`    ${at(e.at)} ${e.technician} ${e.minutes} min (${e.role}${e.onsite ? ', on site' : ''})${e.beforeApproval ? '  [before approval]' : ''}`);
    }
  }
}
