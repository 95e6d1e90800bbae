import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContractsYaml } from '../../src/contracts/contracts.models.ts';
import { createReplyAddress, replyTokenCandidates } from '../../src/mail/reply-token.models.ts';
import type { EstimateEventRecord } from '../../src/tickets/estimates.models.ts';
import { estimateTag, type EstimateTagInput } from '../../src/tickets/estimates.usecases.ts';
import type { TicketRow } from '../../src/tickets/tickets.repository.ts';

const config = parseContractsYaml(readFileSync(new URL('../../examples/mixvoip.yaml', import.meta.url), 'utf8'), 'examples/mixvoip.yaml');
const SECRET = 'a-test-secret';
const SERVICE = 'support@mixvoip.example';
const HOUR = 3_600_000;
const at = new Date('2026-11-30T10:00:00Z');
const sofie = config.provider.technicians.find((t) => t.email === 'sofie@mixvoip.example')!;

const ticket: TicketRow = {
  id: 70, number: 7, subject: 'Telefooncentrale', status: 'open', priority: 'P3', kind: 'request', customerId: 1, contractId: 1, planKey: 'standard',
  requester: 'jan@bakkerij-claes.be', requesterName: 'Jan Claes', locale: 'nl', timezone: 'Europe/Brussels', serviceAddress: SERVICE,
  createdAt: at, updatedAt: at, firstResponseAt: null, resolvedAt: null, closedAt: null, queuePriority: 5, owner: null,
};

function input(estimateMs: number, records: EstimateEventRecord[] = [], planKey = 'standard'): EstimateTagInput {
  return { ticket, planKey, kind: 'request', technician: sofie, customerName: 'Bakkerij Claes BV', estimateMs, at, messageRowId: 501, inReplyTo: '<m@mixvoip.example>', records };
}

describe('estimateTag', () => {
  it('records an estimate at or below quoteAbove (4h) and sends nothing; likewise on a plan without quoteAbove', () => {
    expect(estimateTag(config, SECRET, input(4 * HOUR))).toEqual({
      event: { type: 'estimate', minutes: 240, by: 'sofie@mixvoip.example', requires: null, supersedes: null },
      requests: [],
    });
    expect(estimateTag(config, SECRET, input(10 * HOUR, [], 'none')).requests).toEqual([]);
  });

  it('asks the requester for approval with approve and decline addresses of the ticket, and tells the technician', () => {
    const { event, requests } = estimateTag(config, SECRET, input(5 * HOUR + 30 * 60_000));
    expect(event).toEqual({ type: 'estimate', minutes: 330, by: 'sofie@mixvoip.example', requires: 'approval', supersedes: null });
    const [toCustomer, toTechnician] = requests;
    expect(toCustomer).toMatchObject({
      idempotencyKey: 'estimate:70:501',
      kind: 'estimate',
      locale: 'nl',
      to: ['jan@bakkerij-claes.be'],
      vars: {
        requires: 'approval',
        estimate: '5h 30m',
        rate: '104 EUR/h',
        technicianName: 'Sofie Peeters',
        supersedes: null,
        approveAddress: createReplyAddress({ serviceAddress: SERVICE, ticketNumber: 7, secret: SECRET, action: 'approve' }),
        declineAddress: createReplyAddress({ serviceAddress: SERVICE, ticketNumber: 7, secret: SECRET, action: 'decline' }),
      },
    });
    const approve = String(toCustomer!.vars.approveAddress);
    expect(replyTokenCandidates({ addresses: [approve], serviceAddresses: [SERVICE], secret: SECRET })).toEqual([{ ticketNumber: 7, valid: true, action: 'approve' }]);
    expect(toTechnician).toMatchObject({
      idempotencyKey: 'technician-estimate:70:501',
      kind: 'technician-estimate',
      locale: 'nl',
      to: ['sofie@mixvoip.example'],
      inReplyTo: '<m@mixvoip.example>',
      vars: { outcome: 'approval-requested', estimate: '5h 30m', requester: 'jan@bakkerij-claes.be', customerName: 'Bakkerij Claes BV', supersedes: null },
    });
  });

  it('supersedes an estimate that still awaits approval, and not one that was answered', () => {
    const earlier = new Date('2026-11-30T09:00:00Z');
    const pending: EstimateEventRecord[] = [{ at: earlier, event: { type: 'estimate', minutes: 300, by: 'sofie@mixvoip.example', requires: 'approval' } }];
    const superseding = estimateTag(config, SECRET, input(6 * HOUR, pending));
    expect(superseding.event.supersedes).toBe(earlier.toISOString());
    expect(superseding.requests.map((request) => request.vars.supersedes)).toEqual(['5h', '5h']);
    const answered: EstimateEventRecord[] = [
      ...pending,
      { at: new Date('2026-11-30T09:30:00Z'), event: { type: 'estimate_approved', by: 'jan@bakkerij-claes.be', via: 'reply', estimateAt: earlier.toISOString() } },
    ];
    const after = estimateTag(config, SECRET, input(6 * HOUR, answered));
    expect(after.event.supersedes).toBeNull();
    expect(after.requests.map((request) => request.vars.supersedes)).toEqual([null, null]);
    // even one that asks nothing still ends the pending request
    expect(estimateTag(config, SECRET, input(2 * HOUR, pending)).event).toMatchObject({ requires: null, supersedes: earlier.toISOString() });
  });

  it('sends a notice with no addresses on a notice plan', () => {
    const notice = structuredClone(config);
    notice.plans.standard!.billing.quoteRequires = 'notice';
    const { event, requests } = estimateTag(notice, SECRET, input(5 * HOUR));
    expect(event.requires).toBe('notice');
    expect(requests[0]!.vars).toMatchObject({ requires: 'notice', approveAddress: null, declineAddress: null });
    expect(requests[1]!.vars).toMatchObject({ outcome: 'notice-sent' });
  });
});
