import { describe, expect, it } from 'vitest';
import { loadContractsFile } from '../../src/contracts/contracts.file.ts';
import { undeliveredAckRecipients } from '../../src/tickets/delivery-failure.usecases.ts';

const config = await loadContractsFile(new URL('../../examples/trinax.yaml', import.meta.url).pathname);

describe('undeliveredAckRecipients', () => {
  it("tells the customer's account manager, in the technician's language or the provider's", () => {
    expect(undeliveredAckRecipients(config, 'Acme AB', ['eva@-bad-.se'])).toEqual([{ email: 'william@trinax.example', locale: 'sv', forAccountManager: true }]);
  });
  it("falls back to the provider's managers for a sender without a contract or account manager", () => {
    const recipients = undeliveredAckRecipients(config, null, ['stranger@example.com']);
    expect(recipients.map((r) => r.email)).toEqual(config.provider.managers);
    expect(recipients.every((r) => !r.forAccountManager && r.locale === config.provider.locale)).toBe(true);
  });
  it('never writes to a refused address', () => {
    const manager = config.provider.managers[0]!;
    expect(undeliveredAckRecipients(config, null, [manager.toUpperCase()]).map((r) => r.email)).not.toContain(manager);
  });
});
