import { describe, it, expect } from 'vitest';
import { classifyTicket, type ClassifyInput } from '../../src/sla/classify.models.ts';

function mail(subject: string, text = '', headers: ClassifyInput['headers'] = {}): ClassifyInput {
  return { subject, text, headers };
}

describe('classifyTicket: incident or request', () => {
  it('files an English outage as an incident of at least P2', () => {
    expect(classifyTicket(mail('Mail server down'), 'P3')).toEqual({ kind: 'incident', priority: 'P2' });
  });

  it('files a Swedish "nere" as an incident of at least P2', () => {
    expect(classifyTicket(mail('Internet', 'Internet är nere sedan i morse.'), 'P3')).toEqual({ kind: 'incident', priority: 'P2' });
  });

  it('files a Swedish "fungerar inte" as an incident without raising the priority', () => {
    expect(classifyTicket(mail('Skrivaren fungerar inte'), 'P3')).toEqual({ kind: 'incident', priority: 'P3' });
  });

  it('files a Swedish "störning" as an incident', () => {
    expect(classifyTicket(mail('Störning i växeln'), 'P4').kind).toBe('incident');
  });

  it('files a Norwegian "fungerer ikke" as an incident', () => {
    expect(classifyTicket(mail('Skriveren', 'Skriveren fungerer ikke etter oppdateringen'), 'P3')).toEqual({
      kind: 'incident',
      priority: 'P3',
    });
  });

  it('files a Norwegian "nede" as an incident of at least P2', () => {
    expect(classifyTicket(mail('Nettet er nede'), 'P4')).toEqual({ kind: 'incident', priority: 'P2' });
  });

  it('files a Dutch "storing" as an incident of at least P2', () => {
    expect(classifyTicket(mail('Storing telefooncentrale'), 'P3')).toEqual({ kind: 'incident', priority: 'P2' });
  });

  it('files a Dutch "werkt niet" as an incident', () => {
    expect(classifyTicket(mail('VPN', 'De VPN werkt   niet meer'), 'P3')).toEqual({ kind: 'incident', priority: 'P3' });
  });

  it('matches regardless of case', () => {
    expect(classifyTicket(mail('OUTAGE at the Oslo office'), 'P3')).toEqual({ kind: 'incident', priority: 'P2' });
  });

  it('accepts a typographic apostrophe', () => {
    expect(classifyTicket(mail('Printer doesn’t work'), 'P3').kind).toBe('incident');
  });

  it('does not match a keyword inside a longer word', () => {
    expect(classifyTicket(mail('Please download the invoice', 'Feilfri levering, takk'), 'P3')).toEqual({
      kind: 'request',
      priority: 'P3',
    });
  });

  it('files an ordinary question as a request at the default priority', () => {
    expect(classifyTicket(mail('Ny användare', 'Kan ni lägga till en användare för Eva?'), 'P3')).toEqual({
      kind: 'request',
      priority: 'P3',
    });
  });

  it('does not treat the word urgent as an incident or a priority', () => {
    expect(classifyTicket(mail('URGENT: new laptop for Eva'), 'P3')).toEqual({ kind: 'request', priority: 'P3' });
  });

  it('ignores quoted lines from an earlier mail', () => {
    expect(classifyTicket(mail('Thanks', 'Thanks, all good now.\n> The server is down'), 'P3')).toEqual({
      kind: 'request',
      priority: 'P3',
    });
  });
});

describe('classifyTicket: priority from headers', () => {
  it('makes X-Priority 1 a P1 and leaves the kind to the words', () => {
    expect(classifyTicket(mail('New user', '', { xPriority: '1 (Highest)' }), 'P3')).toEqual({ kind: 'request', priority: 'P1' });
  });

  it('raises X-Priority 2 by one step', () => {
    expect(classifyTicket(mail('New user', '', { xPriority: '2 (High)' }), 'P3')).toEqual({ kind: 'request', priority: 'P2' });
  });

  it('raises Importance high by one step', () => {
    expect(classifyTicket(mail('New user', '', { importance: 'High' }), 'P4')).toEqual({ kind: 'request', priority: 'P3' });
  });

  it('raises Priority urgent by one step', () => {
    expect(classifyTicket(mail('New user', '', { priority: 'urgent' }), 'P4').priority).toBe('P3');
  });

  it('keeps P1 at P1 when raised', () => {
    expect(classifyTicket(mail('New user', '', { importance: 'high' }), 'P1').priority).toBe('P1');
  });

  it('never lowers the default for a low flag', () => {
    expect(classifyTicket(mail('New user', '', { xPriority: '5 (Lowest)', importance: 'low' }), 'P2').priority).toBe('P2');
  });

  it('combines a raised flag with an outage word', () => {
    expect(classifyTicket(mail('Site down', '', { importance: 'high' }), 'P4')).toEqual({ kind: 'incident', priority: 'P2' });
    expect(classifyTicket(mail('Site down', '', { xPriority: '1' }), 'P4')).toEqual({ kind: 'incident', priority: 'P1' });
  });
});
