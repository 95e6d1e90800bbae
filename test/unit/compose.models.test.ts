import type { SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { composeOutbound, type ComposeOutboundInput } from '../../src/mail/compose.models.ts';

const base: ComposeOutboundInput = {
  outboundId: '7f1c2a9e-8d1b-4c55-9a0e-3b1f6f0c2d11',
  kind: 'ack',
  serviceAddress: 'support@trinax.example',
  fromName: 'Trinax Support',
  to: ['eva@acme.se'],
  replyTo: 'support+17.7ob2kgz4gk@trinax.example',
  ticketNumber: 17,
  subject: 'Re: Printer',
  text: 'We have received your request.\n',
  html: '<p>We have received your request.</p>',
  inReplyTo: '<original-1@acme.se>',
  references: [],
  automatic: true,
  messageDomain: 'trinax.example',
};

describe('composeOutbound', () => {
  it('builds the whole acknowledgement', () => {
    expect(composeOutbound(base)).toEqual({
      messageId: '<7f1c2a9e-8d1b-4c55-9a0e-3b1f6f0c2d11@trinax.example>',
      from: { name: 'Trinax Support', address: 'support@trinax.example' },
      to: ['eva@acme.se'],
      replyTo: 'support+17.7ob2kgz4gk@trinax.example',
      subject: '[#17] Printer',
      text: 'We have received your request.\n',
      html: '<p>We have received your request.</p>',
      inReplyTo: '<original-1@acme.se>',
      references: ['<original-1@acme.se>'],
      headers: {
        'X-Helpdesk-Ticket': '17',
        'X-Helpdesk-Kind': 'ack',
        'Auto-Submitted': 'auto-replied',
        'X-Auto-Response-Suppress': 'All',
      },
    });
  });

  it('builds a mail about several tickets (a digest) with no reply token, no subject tag and no ticket header', () => {
    const digest = composeOutbound({ ...base, kind: 'technician-digest', replyTo: null, ticketNumber: null, subject: '37 new tickets', inReplyTo: null, to: ['ola@trinax.example'] });
    expect(digest.subject).toBe('37 new tickets');
    expect(digest).not.toHaveProperty('replyTo');
    expect(digest.headers).toEqual({ 'X-Helpdesk-Kind': 'technician-digest', 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' });
  });

  it('is accepted by nodemailer as SendMailOptions', () => {
    const options: SendMailOptions = composeOutbound(base);
    expect(options.messageId).toBe('<7f1c2a9e-8d1b-4c55-9a0e-3b1f6f0c2d11@trinax.example>');
  });

  it('gives the same Message-ID for the same outbound record, so a retry sends the same mail', () => {
    expect(composeOutbound(base).messageId).toBe(composeOutbound({ ...base, text: 'changed' }).messageId);
  });

  it('marks notifications, escalations and the resolution notice auto-generated', () => {
    for (const kind of ['technician-new-ticket', 'sla-warning', 'sla-breach', 'resolved'] as const) {
      expect(composeOutbound({ ...base, kind }).headers, kind).toMatchObject({
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      });
    }
  });

  it('marks the tag-errors answer to a technician auto-replied', () => {
    expect(composeOutbound({ ...base, kind: 'tag-errors' }).headers['Auto-Submitted']).toBe('auto-replied');
  });

  it('does not mark a technician’s relayed reply as automatic', () => {
    const mail = composeOutbound({ ...base, kind: 'technician-reply', automatic: false });
    expect(mail.headers).toEqual({ 'X-Helpdesk-Ticket': '17', 'X-Helpdesk-Kind': 'technician-reply' });
  });

  it('appends the parent to References once, keeping the thread oldest first', () => {
    expect(composeOutbound({ ...base, references: ['<a@x>', '<b@x>'], inReplyTo: '<c@x>' }).references).toEqual(['<a@x>', '<b@x>', '<c@x>']);
    expect(composeOutbound({ ...base, references: ['<a@x>', '<c@x>'], inReplyTo: '<c@x>' }).references).toEqual(['<a@x>', '<c@x>']);
  });

  it('leaves threading headers out when there is nothing to reply to', () => {
    const mail = composeOutbound({ ...base, kind: 'sla-warning', inReplyTo: null, references: undefined });
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('does not duplicate the ticket tag already in the subject', () => {
    expect(composeOutbound({ ...base, subject: '[#17] SLA warning: response time runs out in 15 min' }).subject).toBe(
      '[#17] SLA warning: response time runs out in 15 min',
    );
  });

  it('sets Cc only when there is one', () => {
    expect(composeOutbound(base).cc).toBeUndefined();
    expect(composeOutbound({ ...base, cc: ['boss@acme.se'] }).cc).toEqual(['boss@acme.se']);
  });

  it('refuses ids that would break the Message-ID header', () => {
    expect(() => composeOutbound({ ...base, outboundId: 'a b>\r\nBcc: x@y' })).toThrow(expect.objectContaining({ code: 'usage.invalid' }));
    expect(() => composeOutbound({ ...base, messageDomain: 'trinax.example>' })).toThrow(expect.objectContaining({ code: 'usage.invalid' }));
  });
});
