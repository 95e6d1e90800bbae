// The plan chosen by the service address a new ticket was written to (Mystore's serviceteam@ for
// the service agreement): which provider address a mail was written to, and which plan a sender
// gets there, on the example contracts file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateContracts } from '../../src/contracts/contracts.models.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { routeNewTicketMail, serviceAddressWrittenTo, type EndedContracts } from '../../src/contracts/routing.models.ts';

function example(name: string): ContractsConfig {
  const result = validateContracts(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const mystore = example('mystore.yaml');
const SUPPORT = 'support@mystore.example';
const SERVICE = 'serviceteam@mystore.example';
const midday = (date: string) => new Date(`${date}T11:00:00Z`);

describe('the contracts file', () => {
  it('reads plain service addresses and { address, plan } entries alike', () => {
    expect(mystore.provider.addresses).toEqual([SUPPORT, SERVICE]);
    expect(mystore.provider.addressPlans).toEqual({ [SERVICE]: 'service' });
  });

  it('gives no address plans to a file whose addresses are all plain', () => {
    expect(example('trinax.yaml').provider.addressPlans).toEqual({});
  });

  it('lists an unknown plan named by an address with the other problems of the file', () => {
    const text = readFileSync(new URL('../../examples/mystore.yaml', import.meta.url), 'utf8')
      .replace(`{ address: ${SERVICE}, plan: service }`, `{ address: ${SERVICE}, plan: servise }`)
      .replace('defaultPlan: none', 'defaultPlan: nothing');
    const result = validateContracts(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'defaultPlan: unknown plan "nothing" (plans: none, support, service)',
      'provider.addresses[1].plan: unknown plan "servise" (plans: none, support, service)',
    ]);
  });
});

describe('serviceAddressWrittenTo', () => {
  it('takes the provider address in To over the mailbox the mail was read from', () => {
    expect(serviceAddressWrittenTo(mystore, SUPPORT, [SERVICE])).toBe(SERVICE);
  });

  it('takes the first provider address in To, then Cc, then Delivered-To order', () => {
    expect(serviceAddressWrittenTo(mystore, SERVICE, ['kollega@fjellsko.no', SUPPORT, SERVICE])).toBe(SUPPORT);
    expect(serviceAddressWrittenTo(mystore, SUPPORT, ['kollega@fjellsko.no', SERVICE, SUPPORT])).toBe(SERVICE);
  });

  it('finds the address in Delivered-To when the customer wrote to us in Bcc', () => {
    expect(serviceAddressWrittenTo(mystore, SUPPORT, ['venn@example.no', SERVICE])).toBe(SERVICE);
  });

  it('falls back to the mailbox when no recipient is one of ours', () => {
    expect(serviceAddressWrittenTo(mystore, SERVICE, ['venn@example.no'])).toBe(SERVICE);
    expect(serviceAddressWrittenTo(mystore, SUPPORT, [])).toBe(SUPPORT);
  });

  it('ignores case, display name and a +tag (a reply address that did not thread)', () => {
    expect(serviceAddressWrittenTo(mystore, SUPPORT, ['"Service" <ServiceTeam+17.abcdefghij@MyStore.Example>'])).toBe(SERVICE);
  });

  it('does not take a look-alike address for ours', () => {
    expect(serviceAddressWrittenTo(mystore, SUPPORT, ['serviceteam@mystore.example.evil', 'serviceteam@other.example'])).toBe(SUPPORT);
  });
});

describe('routeNewTicketMail', () => {
  const mail = (sender: string, recipients: string[], date = '2026-11-30', mailboxAddress = SUPPORT) => ({ sender, at: midday(date), mailboxAddress, recipients });

  it('serves a support customer who writes to serviceteam@ on the service plan, keeping the customer and its contract on the route', () => {
    const route = routeNewTicketMail(mystore, mail('marte@fjellsko.no', [SERVICE]));
    expect(route).toMatchObject({ planKey: 'service', planFrom: 'service-address', serviceAddress: SERVICE, matchedBy: 'contact' });
    expect(route.customer?.name).toBe('Fjellsko AS');
    expect(route.contract?.plan).toBe('support');
  });

  it('serves the same customer on its contract when it writes to support@', () => {
    expect(routeNewTicketMail(mystore, mail('marte@fjellsko.no', [SUPPORT], '2026-11-30', SERVICE))).toMatchObject({
      planKey: 'support',
      planFrom: 'contract',
      serviceAddress: SUPPORT,
    });
  });

  it('serves a sender matched by the customer\'s domain the same way', () => {
    expect(routeNewTicketMail(mystore, mail('lager@fjellsko.no', [SERVICE]))).toMatchObject({ planKey: 'service', planFrom: 'service-address', matchedBy: 'domain' });
  });

  it('leaves a customer whose contract is already the service plan on its contract', () => {
    expect(routeNewTicketMail(mystore, mail('ola@nordlys-interior.no', [SERVICE]))).toMatchObject({ planKey: 'service', planFrom: 'contract', serviceAddress: SERVICE });
  });

  it('keeps a stranger on the default plan, whatever address they write to', () => {
    expect(routeNewTicketMail(mystore, mail('someone@gmail.com', [SERVICE]))).toMatchObject({
      planKey: 'none',
      planFrom: 'default',
      customer: null,
      contract: null,
      serviceAddress: SERVICE,
    });
  });

  it('keeps a customer without a contract in force that day on the default plan', () => {
    // Baltic Outdoor's service contract starts 2026-02-01.
    expect(routeNewTicketMail(mystore, mail('kristjan@balticoutdoor.ee', [SERVICE], '2026-01-15'))).toMatchObject({ planKey: 'none', planFrom: 'default' });
    expect(routeNewTicketMail(mystore, mail('kristjan@balticoutdoor.ee', [SERVICE], '2026-02-01'))).toMatchObject({ planKey: 'service', planFrom: 'contract' });
  });

  it('keeps a customer whose prepaid account has ended on the default plan', () => {
    const ended: EndedContracts = new Map([['fjellsko as', [{ planKey: 'support', start: '2025-05-01', endedAt: new Date('2026-11-01T00:00:00Z') }]]]);
    expect(routeNewTicketMail(mystore, mail('marte@fjellsko.no', [SERVICE]), ended)).toMatchObject({ planKey: 'none', planFrom: 'default', contract: null });
  });

  it('changes nothing for a provider whose addresses name no plan', () => {
    const plain: ContractsConfig = { ...mystore, provider: { ...mystore.provider, addressPlans: undefined } };
    expect(routeNewTicketMail(plain, mail('marte@fjellsko.no', [SERVICE]))).toMatchObject({ planKey: 'support', planFrom: 'contract', serviceAddress: SERVICE });
  });
});
