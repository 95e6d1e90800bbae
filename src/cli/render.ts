// Human-readable output of the CLI (the --json forms are the stable interface).
import type { TicketDetail, TicketSummary } from '../tickets/tickets.queries.ts';

export function printTicketList(list: TicketSummary[]): void {
  if (list.length === 0) {
    console.log('no tickets');
    return;
  }
  const rows = list.map((t) => [`#${t.number}`, t.status, t.priority, t.plan, t.customer ?? '(no contract)', t.requester, t.subject.slice(0, 50)]);
  const header = ['number', 'status', 'prio', 'plan', 'customer', 'requester', 'subject'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

export function printTicket(t: TicketDetail): void {
  console.log(`#${t.number} ${t.subject}`);
  console.log(`  status ${t.status}, ${t.priority} ${t.kind}, plan ${t.plan}, customer ${t.customer ?? '(no contract)'}, requester ${t.requester}`);
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
  if (t.timeEntries.length) {
    console.log('  time:');
    for (const e of t.timeEntries) console.log(`    ${e.at} ${e.technician} ${e.minutes} min (${e.role}${e.onsite ? ', on site' : ''})`);
  }
}
