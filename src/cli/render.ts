// Human-readable output of the CLI (the --json forms are the stable interface).
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

export function printTicket(t: TicketWithOutgoing): void {
  console.log(`#${t.number} ${t.subject}`);
  console.log(`  status ${t.status}, ${t.priority} ${t.kind}, plan ${t.plan}, customer ${t.customer ?? '(no contract)'}, requester ${t.requester}`);
  console.log(`  owner ${t.owner ?? '(none yet)'}`);
  console.log(`  created ${t.createdAt}`);
  for (const target of ['response', 'intervention', 'resolution'] as const) {
    const deadline = t.deadlines[target];
    if (!deadline) continue;
    const state = t.met[target] ? `met ${t.met[target]}` : t.breached[target] ? 'BREACHED' : t.paused ? 'paused' : 'running';
    console.log(`  ${target.padEnd(12)} due ${deadline}  ${state}${t.breached[target] && t.met[target] ? ' (late)' : ''}`);
  }
  console.log('  messages:');
  for (const m of t.messages) {
    console.log(`    ${m.at} ${m.direction === 'in' ? '<-' : '->'} ${m.direction === 'in' ? m.from : m.to.join(', ')}  ${m.subject}${m.internal ? '  [internal]' : ''}`);
  }
  if (t.outgoing.length) {
    // Sent or not, and why not: a failed acknowledgement must not look like a sent one.
    console.log('  outgoing mail:');
    for (const o of t.outgoing) {
      const when = o.state === 'sent' ? ` ${o.sentAt}` : o.attempts > 0 ? ` after ${o.attempts} tr${o.attempts === 1 ? 'y' : 'ies'}` : '';
      console.log(`    ${o.kind.padEnd(14)} ${o.state === 'sent' ? 'sent' : o.state.toUpperCase()}${when}  -> ${o.to.join(', ')}  (${o.id})`);
      if (o.state !== 'sent' && o.lastError) console.log(`      error: ${o.lastError}`);
    }
  }
  if (t.timeEntries.length) {
    console.log('  time:');
    for (const e of t.timeEntries) console.log(`    ${e.at} ${e.technician} ${e.minutes} min (${e.role}${e.onsite ? ', on site' : ''})`);
  }
}
