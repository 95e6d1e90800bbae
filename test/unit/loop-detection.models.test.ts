import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  detectAutomation,
  extractBouncedMessageId,
  isBounce,
  shouldAcknowledge,
} from '../../src/mail/loop-detection.models.ts';

const ours = ['support@trinax.example', 'helpdesk@trinax.example'];
const human = { headers: {}, from: 'eva@acme.se', returnPath: '<eva@acme.se>', ourAddresses: ours };

describe('detectAutomation', () => {
  it('finds nothing automatic in a plain human mail', () => {
    expect(detectAutomation(human)).toEqual({ automatic: false, reasons: [] });
  });

  it('treats Auto-Submitted: no as human', () => {
    expect(detectAutomation({ ...human, headers: { 'auto-submitted': 'No' } })).toEqual({ automatic: false, reasons: [] });
  });

  it('flags Auto-Submitted values other than no, parameters included', () => {
    expect(detectAutomation({ ...human, headers: { 'auto-submitted': 'auto-replied; owner-email="eva@acme.se"' } })).toEqual({
      automatic: true,
      reasons: ['auto-submitted'],
    });
    expect(detectAutomation({ ...human, headers: { 'auto-submitted': 'auto-generated' } }).reasons).toEqual(['auto-submitted']);
  });

  it('flags Precedence bulk, list and junk but not first-class', () => {
    for (const value of ['bulk', 'List', 'junk']) {
      expect(detectAutomation({ ...human, headers: { precedence: value } }).reasons).toEqual(['precedence']);
    }
    expect(detectAutomation({ ...human, headers: { precedence: 'first-class' } }).automatic).toBe(false);
  });

  it('flags a List-Id, also in the folded form mailparser produces', () => {
    expect(detectAutomation({ ...human, headers: { 'list-id': '<news.acme.se>' } }).reasons).toEqual(['list-id']);
    const parsed = new Map<string, unknown>([['list', { id: { id: 'news.acme.se', name: 'News' } }]]);
    expect(detectAutomation({ ...human, headers: parsed }).reasons).toEqual(['list-id']);
  });

  it('does not take List-Unsubscribe alone for a list', () => {
    const parsed = new Map<string, unknown>([['list', { unsubscribe: { url: 'https://acme.se/u' } }]]);
    expect(detectAutomation({ ...human, headers: parsed }).automatic).toBe(false);
  });

  it('flags X-Autoreply and X-Autorespond unless they say no', () => {
    expect(detectAutomation({ ...human, headers: { 'x-autoreply': 'yes' } }).reasons).toEqual(['autoreply-header']);
    expect(detectAutomation({ ...human, headers: { 'x-autorespond': 'Out of office' } }).reasons).toEqual(['autoreply-header']);
    expect(detectAutomation({ ...human, headers: { 'x-autoreply': 'no' } }).automatic).toBe(false);
  });

  it('honours X-Auto-Response-Suppress All, AutoReply and OOF but not receipts only', () => {
    expect(detectAutomation({ ...human, headers: { 'x-auto-response-suppress': 'All' } }).reasons).toEqual(['auto-response-suppress']);
    expect(detectAutomation({ ...human, headers: { 'x-auto-response-suppress': 'DR, OOF' } }).reasons).toEqual(['auto-response-suppress']);
    expect(detectAutomation({ ...human, headers: { 'x-auto-response-suppress': 'autoreply' } }).reasons).toEqual(['auto-response-suppress']);
    expect(detectAutomation({ ...human, headers: { 'x-auto-response-suppress': 'DR, RN, NRN' } }).automatic).toBe(false);
  });

  it('flags an empty Return-Path but not a missing one', () => {
    expect(detectAutomation({ ...human, returnPath: '<>' }).reasons).toEqual(['empty-return-path']);
    expect(detectAutomation({ ...human, returnPath: '' }).reasons).toEqual(['empty-return-path']);
    expect(detectAutomation({ ...human, returnPath: undefined }).automatic).toBe(false);
  });

  it('flags system senders whatever their case, tag or display name', () => {
    for (const from of [
      'MAILER-DAEMON@mx.acme.se',
      'postmaster@acme.se',
      'No-Reply <no-reply@acme.se>',
      'noreply@acme.se',
      'do-not-reply@acme.se',
      'noreply-calendar@google.example',
      'noreply+bounces@acme.se',
    ]) {
      expect(detectAutomation({ ...human, from }).reasons, from).toEqual(['system-sender']);
    }
  });

  it('does not mistake a person whose name merely contains noreply for a system sender', () => {
    expect(detectAutomation({ ...human, from: 'noreplyson@acme.se' }).automatic).toBe(false);
  });

  it('flags our own addresses, plus-variants included', () => {
    expect(detectAutomation({ ...human, from: 'Trinax Support <Support+17.abcdefghij@trinax.example>' }).reasons).toEqual(['own-address']);
  });

  it('flags a mail without any sender, which cannot be answered', () => {
    expect(detectAutomation({ ...human, from: null }).reasons).toEqual(['no-sender']);
  });

  it('collects every reason found', () => {
    const verdict = detectAutomation({
      headers: new Map([
        ['auto-submitted', 'auto-replied'],
        ['precedence', 'bulk'],
      ]),
      from: 'MAILER-DAEMON@mx.acme.se',
      returnPath: '<>',
      ourAddresses: ours,
    });
    expect(verdict).toEqual({ automatic: true, reasons: ['auto-submitted', 'precedence', 'empty-return-path', 'system-sender'] });
  });

  it('reads the headers map that mailparser produces', async () => {
    const raw = [
      'From: Acme News <news@acme.se>',
      'To: support@trinax.example',
      'Subject: March newsletter',
      'List-Id: Acme News <news.acme.se>',
      'List-Unsubscribe: <https://acme.se/unsubscribe>',
      'Precedence: bulk',
      'Auto-Submitted: auto-generated',
      '',
      'Hello!',
    ].join('\r\n');
    const parsed = await simpleParser(raw);
    expect(detectAutomation({ headers: parsed.headers, from: 'news@acme.se', returnPath: undefined, ourAddresses: ours })).toEqual({
      automatic: true,
      reasons: ['auto-submitted', 'precedence', 'list-id'],
    });
  });

  it('reads header values given as arrays', () => {
    expect(detectAutomation({ ...human, headers: { 'auto-submitted': ['no', 'auto-generated'] } }).reasons).toEqual(['auto-submitted']);
  });
});

describe('isBounce', () => {
  it('recognises multipart/report with report-type=delivery-status', () => {
    expect(isBounce({ contentType: 'multipart/report; report-type=delivery-status; boundary="b1"' })).toBe(true);
    expect(isBounce({ contentType: 'Multipart/Report; Report-Type="Delivery-Status"' })).toBe(true);
    expect(isBounce({ contentType: { value: 'multipart/report', params: { 'report-type': 'delivery-status' } } })).toBe(true);
    expect(isBounce({ contentType: 'multipart/report', reportType: 'delivery-status' })).toBe(true);
  });

  it('rejects read receipts and ordinary mail', () => {
    expect(isBounce({ contentType: 'multipart/report; report-type=disposition-notification' })).toBe(false);
    expect(isBounce({ contentType: 'text/plain; charset=utf-8' })).toBe(false);
    expect(isBounce({ contentType: null })).toBe(false);
  });
});

// A DSN as Postfix writes it, abridged; the DSN's own Message-ID comes first and must not win.
const POSTFIX_DSN = [
  'Return-Path: <>',
  'From: MAILER-DAEMON@mx.trinax.example (Mail Delivery System)',
  'To: support@trinax.example',
  'Subject: Undelivered Mail Returned to Sender',
  'Message-ID: <20260304091502.AB12C3@mx.trinax.example>',
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=delivery-status;',
  '\tboundary="AB12C3.1772615702/mx.trinax.example"',
  '',
  'This is a MIME-encapsulated message.',
  '',
  '--AB12C3.1772615702/mx.trinax.example',
  'Content-Description: Notification',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'I\'m sorry to have to inform you that your message could not',
  'be delivered to one or more recipients.',
  '',
  '<eva@gone.example>: host mx.gone.example said: 550 5.1.1 User unknown',
  '',
  '--AB12C3.1772615702/mx.trinax.example',
  'Content-Description: Delivery report',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mx.trinax.example',
  'Arrival-Date: Wed,  4 Mar 2026 10:15:00 +0100 (CET)',
  '',
  'Final-Recipient: rfc822; eva@gone.example',
  'Action: failed',
  'Status: 5.1.1',
  'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
  '',
  '--AB12C3.1772615702/mx.trinax.example',
  'Content-Description: Undelivered Message',
  'Content-Type: message/rfc822',
  '',
  'Return-Path: <support@trinax.example>',
  'From: Trinax Support <support@trinax.example>',
  'To: eva@gone.example',
  'Subject: [#17] Printer on floor 3',
  'Message-ID: <7f1c2a9e-8d1b-4c55-9a0e-3b1f6f0c2d11@trinax.example>',
  'Auto-Submitted: auto-replied',
  '',
  'We have received your request.',
  '',
  '--AB12C3.1772615702/mx.trinax.example--',
  '',
].join('\r\n');

describe('extractBouncedMessageId', () => {
  it('finds the Message-ID of the original inside the message/rfc822 part', () => {
    expect(extractBouncedMessageId(POSTFIX_DSN)).toBe('<7f1c2a9e-8d1b-4c55-9a0e-3b1f6f0c2d11@trinax.example>');
  });

  it('finds it in a text/rfc822-headers part, also when the value is folded', () => {
    const dsn = [
      'Message-ID: <dsn-1@mx.example>',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="x"',
      '',
      '--x',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; eva@gone.example',
      'Action: failed',
      '',
      '--x',
      'Content-Type: text/rfc822-headers',
      '',
      'From: support@trinax.example',
      'Message-Id:',
      ' <out-42@trinax.example>',
      'Subject: [#42] Hello',
      '',
      '--x--',
    ].join('\n');
    expect(extractBouncedMessageId(dsn)).toBe('<out-42@trinax.example>');
  });

  it('returns null when the DSN carries no copy of the original headers', () => {
    const dsn = ['Message-ID: <dsn-1@mx.example>', '', '--x', 'Content-Type: message/delivery-status', '', 'Action: failed', '', '--x--'].join('\n');
    expect(extractBouncedMessageId(dsn)).toBeNull();
  });

  it('returns null for a mail that is no delivery-status report', () => {
    expect(extractBouncedMessageId('Message-ID: <a@b>\nSubject: hi\n\nhello')).toBeNull();
  });
});

describe('shouldAcknowledge', () => {
  it('acknowledges a human below the hourly limit', () => {
    expect(shouldAcknowledge({ automatic: false, acksToSenderLastHour: 2, ackLimitPerHour: 3 })).toBe(true);
  });

  it('stops at the hourly limit', () => {
    expect(shouldAcknowledge({ automatic: false, acksToSenderLastHour: 3, ackLimitPerHour: 3 })).toBe(false);
  });

  it('never acknowledges an automatic mail', () => {
    expect(shouldAcknowledge({ automatic: true, acksToSenderLastHour: 0, ackLimitPerHour: 3 })).toBe(false);
  });

  it('acknowledges nobody with a limit of zero', () => {
    expect(shouldAcknowledge({ automatic: false, acksToSenderLastHour: 0, ackLimitPerHour: 0 })).toBe(false);
  });
});
