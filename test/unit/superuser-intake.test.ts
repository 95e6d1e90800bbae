// Superuser-only intake (Brødrene Johnsen: "Bedriften plikter å opprette en superbruker, som vil
// være den primære kontakt ved alle supporthenvendelser"): who may open a ticket, when the
// superuser and the sender are told, and what the two mails say.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateContracts } from '../../src/contracts/contracts.models.ts';
import type { ContractsConfig } from '../../src/contracts/contracts.types.ts';
import { routeSender } from '../../src/contracts/routing.models.ts';
import { createTemplateRenderer } from '../../src/mail/templates.ts';
import type { BatchMail } from '../../src/tickets/intake/intake-context.ts';
import { mayAnswerRedirect, superuserRedirect } from '../../src/tickets/intake/superuser-intake.models.ts';
import { redirectMails } from '../../src/tickets/intake/superuser-intake.usecases.ts';

const config: ContractsConfig = (() => {
  const result = validateContracts(readFileSync(new URL('../../examples/brodrene-johnsen.yaml', import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
})();
// Nordic CNC AS is on alt 2 (superuser Hanne Lund) from 2025-09-01; Offshore Design on alt 3.
const inForce = new Date('2026-05-04T09:00:00Z');
const redirectOf = (sender: string, at = inForce, cfg = config) => superuserRedirect(cfg, routeSender(cfg, sender, at), sender);

describe('superuserRedirect', () => {
  it('sends another contact\'s new mail to the superuser', () => {
    const redirect = redirectOf('verksted@nordiccnc.no');
    expect(redirect?.customer.name).toBe('Nordic CNC AS');
    expect(redirect?.superuser).toEqual({ email: 'hanne@nordiccnc.no', name: 'Hanne Lund', superuser: true });
  });

  it('sends a sender matched by the customer\'s domain only to the superuser too', () => {
    expect(redirectOf('Per <per@NordicCNC.no>')?.superuser.email).toBe('hanne@nordiccnc.no');
  });

  it('lets the superuser open tickets, whatever case or +tag the address is written with', () => {
    expect(redirectOf('hanne@nordiccnc.no')).toBeNull();
    expect(redirectOf('"Hanne" <Hanne+cnc@NORDICCNC.no>')).toBeNull();
  });

  it('lets anyone open tickets on a plan that does not require a superuser, and strangers on the default plan', () => {
    expect(redirectOf('someone@offshore-design.no')).toBeNull();
    expect(redirectOf('someone@gmail.com')).toBeNull();
  });

  it('lets the customer\'s people open tickets again once the contract is over (the default plan requires no superuser)', () => {
    expect(redirectOf('verksted@nordiccnc.no', new Date('2026-10-01T09:00:00Z'))).toBeNull();
  });

  it('opens the ticket when a plan requires a superuser that the customer does not name (a plan chosen by a service address)', () => {
    const noSuperuser: ContractsConfig = {
      ...config,
      customers: config.customers.map((customer) => ({ ...customer, contacts: customer.contacts.map((contact) => ({ ...contact, superuser: false })) })),
    };
    expect(redirectOf('verksted@nordiccnc.no', inForce, noSuperuser)).toBeNull();
  });
});

describe('mayAnswerRedirect', () => {
  it('tells the superuser and the sender within the sender\'s acknowledgement limit only, and never for a backlog', () => {
    expect(mayAnswerRedirect({ backlog: false, mailsToSenderLastHour: 4, ackLimitPerHour: 5 })).toEqual({ send: true });
    expect(mayAnswerRedirect({ backlog: false, mailsToSenderLastHour: 5, ackLimitPerHour: 5 })).toEqual({ send: false, reason: 'ackLimitPerHour' });
    expect(mayAnswerRedirect({ backlog: true, mailsToSenderLastHour: 0, ackLimitPerHour: 5 })).toEqual({ send: false, reason: 'backlog' });
  });
});

describe('the two mails of a redirect', () => {
  const sender = 'verksted@nordiccnc.no';
  const item = {
    sender,
    mail: { uid: 1, internalDate: inForce, raw: Buffer.from('') },
    parsed: { messageId: '<m1@nordiccnc.no>', sha256: 'abc', subject: 'Lisensen virker ikke', text: 'Programmet sier at lisensen er utløpt.', from: { address: sender, name: 'Ola Verksted' } },
  } as unknown as BatchMail;
  const route = { ...routeSender(config, sender, inForce), serviceAddress: 'support@bjohnsen.example' };
  const [forward, notice] = redirectMails({ serviceAddress: 'support@bjohnsen.example' }, { item, route, redirect: redirectOf(sender)! });
  const renderer = createTemplateRenderer({ templatesDir: fileURLToPath(new URL('../../templates', import.meta.url)) });
  const render = (request: typeof forward) => renderer.render(request!.kind, request!.locale, { providerName: 'Brødrene Johnsen', ...request!.vars });

  it('forwards the mail to the superuser in the customer\'s language, once per mail, as automatic mail about no ticket', () => {
    expect(forward).toMatchObject({ kind: 'superuser-forward', to: ['hanne@nordiccnc.no'], locale: 'nb', ticket: null, automatic: true, idempotencyKey: 'superuser-forward:<m1@nordiccnc.no>', fromAddress: 'support@bjohnsen.example' });
    const mail = render(forward);
    expect(mail.subject).toBe('Henvendelse fra Ola Verksted som du kan videresende: Lisensen virker ikke');
    expect(mail.text).toContain('Hei Hanne Lund,');
    expect(mail.text).toContain('Ola Verksted (verksted@nordiccnc.no) i Nordic CNC AS skrev til support@bjohnsen.example.');
    expect(mail.text).toContain('Programmet sier at lisensen er utløpt.');
    expect(mail.text).toContain('videresend denne e-posten til support@bjohnsen.example, eller svar på den');
  });

  it('tells the sender, on their own mail\'s thread, that the superuser by name has received a copy', () => {
    expect(notice).toMatchObject({ kind: 'superuser-only', to: [sender], locale: 'nb', ticket: null, automatic: true, inReplyTo: '<m1@nordiccnc.no>', idempotencyKey: 'superuser-only:<m1@nordiccnc.no>' });
    const mail = render(notice);
    expect(mail.subject).toBe('Henvendelsen din «Lisensen virker ikke» er sendt til Hanne Lund');
    expect(mail.text).toContain('Hei Ola Verksted,');
    expect(mail.text).toContain('bedriftens superbruker, Hanne Lund (hanne@nordiccnc.no), som har fått en kopi av e-posten din');
  });
});
