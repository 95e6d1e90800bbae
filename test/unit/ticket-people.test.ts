import { describe, expect, it } from 'vitest';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { customerReplyRecipients, escalationRecipients, nextOwner } from '../../src/tickets/ticket-people.models.ts';
import { parseTechnicianReply } from '../../src/tickets/tags.models.ts';
import { EXAMPLES_DIR } from '../support/contracts.ts';

const config = await loadContractsFile(`${EXAMPLES_DIR}/trinax.yaml`);
const william = config.provider.technicians.find((t) => t.email === 'william@trinax.example')!;
const technicians = config.provider.technicians.map((t) => t.email);

describe('#take and #assign', () => {
  it('reads #take and #assign ADDRESS in every language, the address in any spelling', () => {
    expect(parseTechnicianReply('#take\nok', { technicians }).tags).toEqual([{ type: 'take' }]);
    expect(parseTechnicianReply('#ta', { technicians }).tags).toEqual([{ type: 'take' }]);
    expect(parseTechnicianReply('#neem', { technicians }).tags).toEqual([{ type: 'take' }]);
    expect(parseTechnicianReply('#tilldela Sara Holm <Sara@Trinax.example>'.replace('Sara Holm ', ''), { technicians }).tags).toEqual([
      { type: 'assign', address: 'sara@trinax.example' },
    ]);
    expect(parseTechnicianReply('#tildel mailto:sara@trinax.example', { technicians }).tags).toEqual([{ type: 'assign', address: 'sara@trinax.example' }]);
    expect(parseTechnicianReply('#toewijzen sara@trinax.example', { technicians }).tags).toEqual([{ type: 'assign', address: 'sara@trinax.example' }]);
  });

  it('refuses an #assign to someone who is not one of our technicians, or to no address, and a second owner tag', () => {
    expect(parseTechnicianReply('#assign eva@acme.se', { technicians }).errors).toMatchObject([{ lineNumber: 1, code: 'unknown-technician' }]);
    expect(parseTechnicianReply('#assign', { technicians }).errors).toMatchObject([{ code: 'missing-value' }]);
    expect(parseTechnicianReply('#assign sara', { technicians }).errors).toMatchObject([{ code: 'invalid-address' }]);
    expect(parseTechnicianReply('#take now', { technicians }).errors).toMatchObject([{ code: 'unexpected-value' }]);
    const twice = parseTechnicianReply('#take\n#assign sara@trinax.example', { technicians });
    expect(twice.tags).toEqual([{ type: 'take' }]);
    expect(twice.errors).toMatchObject([{ lineNumber: 2, code: 'duplicate-tag' }]);
  });

  it('gives the ticket to the first technician who answers, to the writer of #take, to the one #assign names', () => {
    expect(nextOwner(config, null, william, [])).toEqual({ to: 'william@trinax.example', via: 'first-answer' });
    expect(nextOwner(config, 'sara@trinax.example', william, [])).toBeNull();
    expect(nextOwner(config, 'sara@trinax.example', william, [{ type: 'take' }])).toEqual({ to: 'william@trinax.example', via: 'take' });
    expect(nextOwner(config, 'William@Trinax.example', william, [{ type: 'take' }])).toBeNull();
    expect(nextOwner(config, null, william, [{ type: 'assign', address: 'sara@trinax.example' }])).toEqual({ to: 'sara@trinax.example', via: 'assign' });
  });
});

describe('who is told', () => {
  it('tells the owner of a customer reply, else the account manager, else every technician, each in their language', () => {
    expect(customerReplyRecipients(config, { owner: 'sara@trinax.example' }, 'william@trinax.example')).toEqual([{ address: 'sara@trinax.example', locale: 'sv' }]);
    expect(customerReplyRecipients(config, { owner: null }, 'william@trinax.example')).toEqual([{ address: 'william@trinax.example', locale: 'sv' }]);
    expect(customerReplyRecipients(config, { owner: null }, null)).toEqual([
      { address: 'william@trinax.example', locale: 'sv' },
      { address: 'sara@trinax.example', locale: 'sv' },
    ]);
    // An owner who has left the provider's list counts as none.
    expect(customerReplyRecipients(config, { owner: 'gone@trinax.example' }, null).map((r) => r.address)).toEqual(['william@trinax.example', 'sara@trinax.example']);
  });

  it('warns the owner and the account manager, else every technician; a breach also goes to the managers', () => {
    expect(escalationRecipients(config, 'warn', { owner: 'sara@trinax.example' }, 'william@trinax.example').map((r) => r.address)).toEqual([
      'sara@trinax.example',
      'william@trinax.example',
    ]);
    expect(escalationRecipients(config, 'warn', { owner: null }, null).map((r) => r.address)).toEqual(['william@trinax.example', 'sara@trinax.example']);
    expect(escalationRecipients(config, 'breach', { owner: 'william@trinax.example' }, 'william@trinax.example').map((r) => r.address)).toEqual([
      'william@trinax.example',
      'chef@trinax.example',
    ]);
  });
});
