import { describe, expect, it } from 'vitest';
import { MAX_REFERENCES_TAIL, threadHeadersFor, type ThreadMessage } from '../../src/mail/threading.models.ts';

const SERVICE = 'support@provider.test';
const CUSTOMER = 'eva@customer.test';
const TECH = 'tom@provider.test';

const inbound = (messageId: string, from: string, to = [SERVICE], cc: string[] = []): ThreadMessage => ({ messageId, direction: 'in', fromAddress: from, to, cc });
const outbound = (messageId: string, to: string[], cc: string[] = []): ThreadMessage => ({ messageId, direction: 'out', fromAddress: SERVICE, to, cc });

// A ticket as it happens: the customer writes, we ack, each technician gets a notice, Tom
// answers (his own mail, to the service address), we relay it to the customer.
const ticket: ThreadMessage[] = [
  inbound('<c1@customer>', CUSTOMER),
  outbound('<ack@p>', [CUSTOMER]),
  outbound('<notice-tom@p>', [TECH]),
  outbound('<notice-ann@p>', ['ann@provider.test']),
  inbound('<t1@tom>', TECH, ['support+17.abc@provider.test']),
  outbound('<relay@p>', [CUSTOMER]),
];

describe('threadHeadersFor', () => {
  it.each([
    {
      name: 'the customer threads on their own mail and ours, never on the technician’s own answer',
      messages: ticket,
      recipients: [CUSTOMER],
      parent: null,
      expected: { inReplyTo: '<relay@p>', references: ['<c1@customer>', '<ack@p>', '<relay@p>'] },
    },
    {
      name: 'a relay that names the technician’s message as parent gets the customer’s newest mail instead',
      messages: ticket.slice(0, 5),
      recipients: [CUSTOMER],
      parent: '<t1@tom>',
      expected: { inReplyTo: '<ack@p>', references: ['<c1@customer>', '<ack@p>'] },
    },
    {
      name: 'a technician threads on the notice we sent and the answer they wrote, not on other technicians’ notices',
      messages: ticket,
      recipients: [TECH],
      parent: '<t1@tom>',
      expected: { inReplyTo: '<t1@tom>', references: ['<notice-tom@p>', '<t1@tom>'] },
    },
    {
      name: 'a known parent the recipient has seen goes last even when newer mail exists',
      messages: ticket,
      recipients: [CUSTOMER],
      parent: '<c1@customer>',
      expected: { inReplyTo: '<c1@customer>', references: ['<ack@p>', '<relay@p>', '<c1@customer>'] },
    },
    {
      name: 'someone who has seen nothing of the ticket gets no threading headers',
      messages: ticket,
      recipients: ['boss@provider.test'],
      parent: '<t1@tom>',
      expected: { inReplyTo: null, references: [] },
    },
    {
      name: 'case, display name and +tag do not change who saw a mail',
      messages: [inbound('<c1@customer>', 'Eva <EVA+work@Customer.test>'), outbound('<ack@p>', ['eva@customer.test'])],
      recipients: ['eva@customer.test'],
      parent: null,
      expected: { inReplyTo: '<ack@p>', references: ['<c1@customer>', '<ack@p>'] },
    },
    {
      name: 'a Cc’d colleague has seen the mail they were copied on',
      messages: [inbound('<c1@customer>', CUSTOMER, [SERVICE], ['bo@customer.test']), outbound('<ack@p>', [CUSTOMER])],
      recipients: ['bo@customer.test'],
      parent: null,
      expected: { inReplyTo: '<c1@customer>', references: ['<c1@customer>'] },
    },
    {
      name: 'several recipients: only mails every one of them has seen',
      messages: [inbound('<c1@customer>', CUSTOMER, [SERVICE], ['bo@customer.test']), outbound('<ack@p>', [CUSTOMER])],
      recipients: [CUSTOMER, 'bo@customer.test'],
      parent: null,
      expected: { inReplyTo: '<c1@customer>', references: ['<c1@customer>'] },
    },
    {
      name: 'mails without a Message-ID and repeated ids are skipped',
      messages: [inbound('<c1@customer>', CUSTOMER), { ...inbound('', CUSTOMER), messageId: null }, inbound('<c1@customer>', CUSTOMER)],
      recipients: [CUSTOMER],
      parent: null,
      expected: { inReplyTo: '<c1@customer>', references: ['<c1@customer>'] },
    },
    {
      name: 'no recipients, no headers',
      messages: ticket,
      recipients: [],
      parent: null,
      expected: { inReplyTo: null, references: [] },
    },
  ])('$name', ({ messages, recipients, parent, expected }) => {
    expect(threadHeadersFor(messages, recipients, parent)).toEqual(expected);
  });

  it('keeps References bounded: the thread’s root and the newest ids, newest last', () => {
    const long = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? inbound(`<c${i}@customer>`, CUSTOMER) : outbound(`<o${i}@p>`, [CUSTOMER])));
    const headers = threadHeadersFor(long, [CUSTOMER]);
    expect(headers.references).toHaveLength(MAX_REFERENCES_TAIL + 1);
    expect(headers.references[0]).toBe('<c0@customer>');
    expect(headers.references.slice(1)).toEqual(long.slice(-MAX_REFERENCES_TAIL).map((m) => m.messageId));
    expect(headers.inReplyTo).toBe('<o59@p>');
  });
});
