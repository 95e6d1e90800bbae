import { describe, expect, it } from 'vitest';
import {
  awaitsApproval,
  detectApprovalAnswer,
  estimateRate,
  estimateRequirement,
  estimateStateAt,
  workBeforeApproval,
  type EstimateEventRecord,
} from '../../src/tickets/estimates.models.ts';

const HOUR = 3_600_000;

describe('estimateRequirement', () => {
  it.each([
    // quoteAbove, quoteRequires, estimate, expected
    [3 * HOUR, 'notice', 5 * HOUR, 'notice'],
    [3 * HOUR, 'approval', 5 * HOUR, 'approval'],
    [3 * HOUR, undefined, 5 * HOUR, 'approval'],
    [3 * HOUR, 'approval', 3 * HOUR, null],
    [3 * HOUR, 'notice', 3 * HOUR, null],
    [3 * HOUR, 'approval', 3 * HOUR + 60_000, 'approval'],
    [3 * HOUR, 'approval', 30 * 60_000, null],
    [null, 'approval', 100 * HOUR, null],
    [null, undefined, 100 * HOUR, null],
  ] as const)('quoteAbove %s, quoteRequires %s, estimate %s ms: %s', (quoteAboveMs, quoteRequires, estimate, expected) => {
    expect(estimateRequirement({ quoteAboveMs, quoteRequires }, estimate)).toBe(expected);
  });
});

describe('estimateRate', () => {
  const billing = { currency: 'NOK', ratesMinor: { default: 100_000, engineer: 135_050 }, freeKinds: ['incident' as const] };
  it('names the role rate, else the default, and nothing for a free kind', () => {
    expect(estimateRate(billing, 'engineer', 'request')).toBe('1 350.50 NOK/h');
    expect(estimateRate(billing, 'technician', 'request')).toBe('1 000 NOK/h');
    expect(estimateRate(billing, null, 'request')).toBe('1 000 NOK/h');
    expect(estimateRate(billing, 'engineer', 'incident')).toBeNull();
  });
});

describe('detectApprovalAnswer', () => {
  it.each([
    // en
    ['Approve', 'approve'],
    ['approved', 'approve'],
    ['Approved.', 'approve'],
    ['APPROVED!!', 'approve'],
    ['Approved 👍', 'approve'],
    ['Yes I approve', 'approve'],
    ['Yes, I approve. Go ahead.', 'approve'],
    ['Approved - go ahead', 'approve'],
    ['Decline', 'decline'],
    ['Declined, too expensive', 'decline'],
    ['Reject', 'decline'],
    ['Not approved.', 'decline'],
    ['No', 'decline'],
    // sv
    ['Godkänn', 'approve'],
    ['Godkänner', 'approve'],
    ['Godkänt, kör på!', 'approve'],
    ['Jag godkänner', 'approve'],
    ['Avböj', 'decline'],
    ['Avböjer.', 'decline'],
    ['Nej', 'decline'],
    ['Nej.', 'decline'],
    ['Inte godkänt', 'decline'],
    // nb
    ['Godkjenn', 'approve'],
    ['Godkjent', 'approve'],
    ['godkjenner', 'approve'],
    ['Godkjent, sett i gang.', 'approve'],
    ['Avslå', 'decline'],
    ['Avslår', 'decline'],
    ['Avvis', 'decline'],
    ['Ikke godkjent', 'decline'],
    ['Nei', 'decline'],
    // nl
    ['Akkoord', 'approve'],
    ['Goedgekeurd', 'approve'],
    ['Goedkeuren', 'approve'],
    ['Ik ga akkoord.', 'approve'],
    ['Afwijzen', 'decline'],
    ['Afgewezen', 'decline'],
    ['Niet akkoord', 'decline'],
    ['Niet akkoord, te duur.', 'decline'],
    ['Nee', 'decline'],
    // de
    ['Genehmigt', 'approve'],
    ['Einverstanden!', 'approve'],
    ['Abgelehnt', 'decline'],
    ['Nicht einverstanden', 'decline'],
    // fr
    ['Approuvé', 'approve'],
    ["D'accord", 'approve'],
    ['D\u2019accord, allez-y', 'approve'],
    ['Refusé', 'decline'],
    ["Pas d'accord", 'decline'],
  ] as const)('%j answers %s', (text, expected) => {
    expect(detectApprovalAnswer(text)).toBe(expected);
  });

  it.each([
    ['Hi Sofie,\n\nApproved, go ahead.\n\nJan', 'approve'],
    ['Hei,\nGodkjent\n', 'approve'],
    ['\n\n   \n  Akkoord  \n', 'approve'],
    ['Beste Sofie,\n\nNiet akkoord.\n', 'decline'],
    ['**Approved**', 'approve'],
    ['Godkjent\n\nDen 30. nov. 2026 kl. 10:15 skrev Mystore <support@mystore.example>:\n> Svar avslå for å avslå.', 'approve'],
    ['Approved\r\n\r\nOn Mon, 30 Nov 2026 at 10:15, Mixvoip <support+7@mixvoip.example> wrote:\r\n> decline', 'approve'],
  ] as const)('reads the first own line of %j', (text, expected) => {
    expect(detectApprovalAnswer(text)).toBe(expected);
  });

  it.each([
    '',
    'Thanks, I will have a look.',
    "I don't approve of how long this takes, but go on.",
    'The printer is still broken.\nApproved',
    'Nej, skrivaren fungerar fortfarande inte.',
    'Nei, det virker ikke ennå.',
    'No idea what you mean.',
    'Nee hoor, het werkt nog steeds niet',
    'Approved?',
    'Declined? Why was my card declined',
    'Approval needed from my boss first.',
    'Approvement pending',
    'Godkjenning må komme fra sjefen.',
    'Akkoordje? Even checken.',
    'Yes',
    '> Approved\n> Godkjent',
    'On Mon, 30 Nov 2026 at 10:15, Mixvoip <support@mixvoip.example> wrote:\n> Approve',
    'Hi,\nHello,\nApproved',
    '-- \nApproved',
  ])('%j is no answer', (text) => {
    expect(detectApprovalAnswer(text)).toBeNull();
  });
});

const at = (iso: string) => new Date(iso);
const estimate = (iso: string, minutes: number, requires: 'approval' | 'notice' | null | undefined): EstimateEventRecord => ({
  at: at(iso),
  event: requires === undefined ? { type: 'estimate', minutes, by: 'sofie@mixvoip.example' } : { type: 'estimate', minutes, by: 'sofie@mixvoip.example', requires },
});
const answer = (iso: string, decision: 'approve' | 'decline', estimateIso: string, by = 'jan@bakkerij-claes.be'): EstimateEventRecord => ({
  at: at(iso),
  event: { type: decision === 'approve' ? 'estimate_approved' : 'estimate_declined', by, via: 'reply', estimateAt: at(estimateIso).toISOString() },
});

describe('estimateStateAt', () => {
  const e1 = '2026-11-30T09:00:00Z';
  const e2 = '2026-11-30T12:00:00Z';

  it('has nothing before the first estimate, and awaits an approval until the customer answers', () => {
    const records = [estimate(e1, 300, 'approval'), answer('2026-11-30T10:00:00Z', 'approve', e1)];
    expect(estimateStateAt(records, at('2026-11-30T08:00:00Z'))).toEqual({ estimate: null, answer: null });
    const pending = estimateStateAt(records, at('2026-11-30T09:30:00Z'));
    expect(awaitsApproval(pending)).toBe(true);
    const after = estimateStateAt(records, null);
    expect(after.answer).toEqual({ decision: 'approve', at: at('2026-11-30T10:00:00Z'), by: 'jan@bakkerij-claes.be' });
    expect(awaitsApproval(after)).toBe(false);
  });

  it('keeps the first answer: a second one does not flip it', () => {
    const records = [estimate(e1, 300, 'approval'), answer('2026-11-30T10:00:00Z', 'approve', e1), answer('2026-11-30T10:05:00Z', 'decline', e1)];
    expect(estimateStateAt(records, null).answer?.decision).toBe('approve');
  });

  it('lets a new estimate supersede the old one and its answer; an answer naming the old estimate does not count for the new', () => {
    const records = [estimate(e1, 300, 'approval'), answer('2026-11-30T10:00:00Z', 'decline', e1), estimate(e2, 360, 'approval'), answer('2026-11-30T12:30:00Z', 'approve', e1)];
    const state = estimateStateAt(records, null);
    expect(state.estimate).toMatchObject({ minutes: 360, requires: 'approval' });
    expect(state.answer).toBeNull();
    expect(estimateStateAt([...records, answer('2026-11-30T13:00:00Z', 'approve', e2)], null).answer?.decision).toBe('approve');
  });

  it('asks nothing of a notice, an estimate at or below quoteAbove, or one recorded before requires existed', () => {
    for (const requires of ['notice', null, undefined] as const) {
      expect(awaitsApproval(estimateStateAt([estimate(e1, 300, requires)], null))).toBe(false);
      expect(estimateStateAt([estimate(e1, 300, requires), answer('2026-11-30T10:00:00Z', 'approve', e1)], null).answer).toBeNull();
    }
  });
});

describe('workBeforeApproval', () => {
  const e1 = '2026-11-30T09:00:00Z';
  const approved = [estimate(e1, 300, 'approval'), answer('2026-11-30T11:00:00Z', 'approve', e1)];
  const declined = [estimate(e1, 300, 'approval'), answer('2026-11-30T11:00:00Z', 'decline', e1)];
  const work = (startIso: string | null, minutes = 60, reversesEntryId: string | null = null) => ({
    minutes,
    reversesEntryId,
    workStart: startIso === null ? null : at(startIso),
    at: at('2026-11-30T15:00:00Z'),
  });

  it.each([
    ['work started before the estimate', approved, '2026-11-30T08:00:00Z', false],
    ['work started at the estimate', approved, e1, true],
    ['work started while the approval was pending', approved, '2026-11-30T10:00:00Z', true],
    ['work started at the approval', approved, '2026-11-30T11:00:00Z', false],
    ['work started after the approval', approved, '2026-11-30T12:00:00Z', false],
    ['work started while pending, then declined', declined, '2026-11-30T10:00:00Z', true],
    ['work started after the decline', declined, '2026-11-30T12:00:00Z', true],
    ['work under a notice', [estimate(e1, 300, 'notice')], '2026-11-30T10:00:00Z', false],
    ['work with no estimate', [], '2026-11-30T10:00:00Z', false],
    ['work after a decline and a new estimate below quoteAbove', [...declined, estimate('2026-11-30T11:30:00Z', 120, null)], '2026-11-30T12:00:00Z', false],
  ] as const)('%s: %s', (_name, records, start, expected) => {
    expect(workBeforeApproval(records, work(start))).toBe(expected);
  });

  it('uses the arrival time for an entry without a work start, and never flags a correction or an undo', () => {
    const pending = [estimate(e1, 300, 'approval')];
    expect(workBeforeApproval(pending, work(null))).toBe(true);
    expect(workBeforeApproval(pending, work('2026-11-30T10:00:00Z', -30))).toBe(false);
    expect(workBeforeApproval(pending, work('2026-11-30T10:00:00Z', 60, 'a-reversed-entry'))).toBe(false);
  });
});
