import { describe, expect, it } from 'vitest';
import { acceptsFollowUp, acksInHourBefore, decideAcknowledgement, followUpChangesTicket, isBacklog, notifyAsDigest } from '../../src/tickets/intake/intake.models.ts';

const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;

describe('decideAcknowledgement', () => {
  const base = { now: at('2026-11-30T10:00:00Z'), ackMaxAgeMs: DAY, acksToSenderLastHour: 0, ackLimitPerHour: 3 };

  it('acknowledges a fresh mail from a sender with no recent acks', () => {
    expect(decideAcknowledgement({ ...base, receivedAt: at('2026-11-30T09:59:58Z') })).toEqual({ acknowledge: true });
  });

  it('acknowledges a mail exactly as old as the limit', () => {
    expect(decideAcknowledgement({ ...base, receivedAt: at('2026-11-29T10:00:00Z') })).toEqual({ acknowledge: true });
  });

  it('does not acknowledge a mail older than the limit and says how old it was', () => {
    expect(decideAcknowledgement({ ...base, receivedAt: at('2026-11-29T09:59:59Z') })).toEqual({
      acknowledge: false,
      event: { type: 'ack_suppressed', reason: 'backlog', ageMs: DAY + 1000 },
    });
  });

  it('does not acknowledge a sender who already had ackLimitPerHour acks in the hour', () => {
    expect(decideAcknowledgement({ ...base, receivedAt: at('2026-11-30T09:00:00Z'), acksToSenderLastHour: 3 })).toEqual({
      acknowledge: false,
      event: { type: 'ack_suppressed', reason: 'ackLimitPerHour', acksLastHour: 3 },
    });
  });

  it('names the backlog, not the loop brake, when both apply', () => {
    const decision = decideAcknowledgement({ ...base, receivedAt: at('2026-11-01T09:00:00Z'), acksToSenderLastHour: 9 });
    expect(decision).toMatchObject({ acknowledge: false, event: { reason: 'backlog' } });
  });
});

describe('isBacklog', () => {
  it('is true only for mail older than the limit when first seen', () => {
    const now = at('2026-11-30T10:00:00Z');
    expect(isBacklog(at('2026-11-29T10:00:00Z'), now, DAY)).toBe(false);
    expect(isBacklog(at('2026-11-29T09:59:59Z'), now, DAY)).toBe(true);
    expect(isBacklog(at('2026-11-30T10:00:05Z'), now, DAY)).toBe(false);
  });
});

describe('acksInHourBefore', () => {
  it('counts acks committed before the batch and queued in it, within the hour before the mail only', () => {
    const ledger = {
      before: [
        { to: ['eva@acme.se'], createdAt: at('2026-11-30T09:10:00Z') },
        { to: ['eva@acme.se'], createdAt: at('2026-11-30T08:59:59Z') },
        { to: ['lars@acme.se'], createdAt: at('2026-11-30T09:30:00Z') },
      ],
      inBatch: [
        { to: 'eva@acme.se', createdAt: at('2026-11-30T09:50:00Z') },
        { to: 'lars@acme.se', createdAt: at('2026-11-30T09:51:00Z') },
      ],
    };
    expect(acksInHourBefore(ledger, 'eva@acme.se', at('2026-11-30T10:00:00Z'))).toBe(2);
    expect(acksInHourBefore(ledger, 'lars@acme.se', at('2026-11-30T10:00:00Z'))).toBe(2);
    expect(acksInHourBefore(ledger, 'nobody@acme.se', at('2026-11-30T10:00:00Z'))).toBe(0);
  });
});

describe('acceptsFollowUp', () => {
  const week = 7 * DAY;
  it('takes follow-ups on new, open and waiting tickets', () => {
    for (const status of ['new', 'open', 'waiting'] as const) expect(acceptsFollowUp({ status, resolvedAt: null }, at('2030-01-01T00:00:00Z'), week)).toBe(true);
  });
  it('reopens a resolved ticket within the window and not after it', () => {
    const resolved = { status: 'resolved' as const, resolvedAt: at('2026-11-20T10:00:00Z') };
    expect(acceptsFollowUp(resolved, at('2026-11-27T10:00:00Z'), week)).toBe(true);
    expect(acceptsFollowUp(resolved, at('2026-11-27T10:00:01Z'), week)).toBe(false);
  });
  it('never takes a follow-up on a closed ticket', () => {
    expect(acceptsFollowUp({ status: 'closed', resolvedAt: null }, at('2026-11-20T10:00:00Z'), week)).toBe(false);
  });
});

describe('followUpChangesTicket', () => {
  it('is true only where a customer reply changes status and clocks', () => {
    expect(['new', 'open', 'waiting', 'resolved', 'closed'].filter((s) => followUpChangesTicket(s as never))).toEqual(['waiting', 'resolved']);
  });
});

describe('notifyAsDigest', () => {
  it('sends a digest from digestFrom tickets on', () => {
    expect(notifyAsDigest(4, 5)).toBe(false);
    expect(notifyAsDigest(5, 5)).toBe(true);
    expect(notifyAsDigest(300, 5)).toBe(true);
  });
});
