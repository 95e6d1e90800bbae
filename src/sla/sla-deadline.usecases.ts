// `helpdesk sla deadline`: one deadline from the contracts file alone, no database.
import { DateTime } from 'luxon';
import { createBusinessCalendar } from '../calendar/calendar.models.ts';
import type { ContractsConfig, Priority, SlaTargetName, TicketKind } from '../contracts/contracts.types.ts';
import { HelpdeskError } from '../shared/errors.ts';
import { computeDeadline, resolveTarget } from './sla.models.ts';

export interface DeadlineQuery {
  plan: string;
  target: SlaTargetName;
  priority?: Priority;
  kind: TicketKind;
  from: Date;
}

export function deadlineForPlan(config: ContractsConfig, query: DeadlineQuery): { deadline: Date; iso: string; calendarKey: string } | null {
  const plan = config.plans[query.plan];
  if (!plan) {
    throw new HelpdeskError('contract.unknown_plan', `unknown plan "${query.plan}" (plans: ${Object.keys(config.plans).join(', ')})`);
  }
  const resolved = resolveTarget(plan, query.target, query.priority ?? plan.defaultPriority, query.kind);
  if (!resolved) return null;
  const definition = config.calendars[resolved.calendarKey];
  if (!definition) throw new HelpdeskError('calendar.invalid', `unknown calendar "${resolved.calendarKey}"`);
  const deadline = computeDeadline(createBusinessCalendar(definition), resolved.duration, query.from);
  const iso = DateTime.fromJSDate(deadline, { zone: definition.timezone }).toISO({ suppressMilliseconds: true });
  return { deadline, iso: iso ?? deadline.toISOString(), calendarKey: resolved.calendarKey };
}
