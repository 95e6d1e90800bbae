// Prometheus metrics of one bot (`/metrics`), names prefixed `helpdesk_`. Each bot has its own
// registry (tests run several bots in one process; prom-client's global registry would refuse
// the second). Counters are fed by the wiring (src/app.ts) from what intake, the mailer and the
// SLA worker report; queue depths and outbox states are read when Prometheus scrapes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface QueueDepthSource {
  /** job counts per state of each BullMQ queue, e.g. { 'outbound-mail': { waiting: 3, … } } */
  queueDepths(): Promise<Record<string, Record<string, number>>>;
  /** outbound rows per state, sent rows excluded (they only grow) */
  outboxStates(): Promise<Record<string, number>>;
}

export function createMetrics(options: { source: QueueDepthSource; defaultMetrics?: boolean }) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'helpdesk_' });
  const registers = [registry];

  const mailsIngested = new Counter({ name: 'helpdesk_mails_ingested_total', help: 'Inbound mails committed (on a ticket, or stored as automatic or duplicate mail)', labelNames: ['mailbox'], registers });
  const mailsQuarantined = new Counter({ name: 'helpdesk_mails_quarantined_total', help: 'Inbound mails kept in quarantine', labelNames: ['mailbox'], registers });
  const ticketsOpened = new Counter({ name: 'helpdesk_tickets_opened_total', help: 'Tickets opened by intake', registers });
  const mailsSent = new Counter({ name: 'helpdesk_mails_sent_total', help: 'Outbound mails the SMTP server accepted, by kind', labelNames: ['kind'], registers });
  const mailsFailed = new Counter({ name: 'helpdesk_mails_send_failures_total', help: 'Failed send attempts, by kind; permanent="true" when the mail was given up', labelNames: ['kind', 'permanent'], registers });
  const acksSent = new Counter({ name: 'helpdesk_acks_sent_total', help: 'Acknowledgements sent', registers });
  const acksFailed = new Counter({ name: 'helpdesk_acks_failed_total', help: 'Acknowledgements refused for good by the SMTP server (state failed)', registers });
  const slaWarnings = new Counter({ name: 'helpdesk_sla_warnings_total', help: 'SLA warnings recorded', registers });
  const slaBreaches = new Counter({ name: 'helpdesk_sla_breaches_total', help: 'SLA breaches recorded', registers });
  const pollSeconds = new Histogram({
    name: 'helpdesk_poll_batch_seconds',
    help: 'Time to commit one fetched batch of inbound mail (parse wait and transaction)',
    labelNames: ['mailbox'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const sendSeconds = new Histogram({
    name: 'helpdesk_send_seconds',
    help: 'Time the SMTP server took to accept (or refuse) one outbound mail',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'helpdesk_queue_jobs',
    help: 'BullMQ jobs per queue and state, read at scrape time',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      const depths = await options.source.queueDepths();
      for (const [queue, counts] of Object.entries(depths)) for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
    },
  });
  new Gauge({
    name: 'helpdesk_outbox_mails',
    help: 'Outbound mail rows not sent, by state (queued, sending, failed, bounced), read at scrape time',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      for (const state of ['queued', 'sending', 'failed', 'bounced']) this.set({ state }, 0);
      for (const [state, n] of Object.entries(await options.source.outboxStates())) this.set({ state }, n);
    },
  });

  return {
    registry,
    batchCommitted(mailbox: string, batch: { processed: number; quarantined: number; ticketsOpened: number; seconds: number }): void {
      mailsIngested.inc({ mailbox }, batch.processed);
      mailsQuarantined.inc({ mailbox }, batch.quarantined);
      ticketsOpened.inc(batch.ticketsOpened);
      pollSeconds.observe({ mailbox }, batch.seconds);
    },
    mailSent(kind: string, seconds: number): void {
      mailsSent.inc({ kind });
      if (kind === 'ack') acksSent.inc();
      sendSeconds.observe(seconds);
    },
    mailFailed(kind: string, permanent: boolean, seconds: number): void {
      mailsFailed.inc({ kind, permanent: String(permanent) });
      if (kind === 'ack' && permanent) acksFailed.inc();
      sendSeconds.observe(seconds);
    },
    slaFired(outcome: 'warned' | 'breached'): void {
      if (outcome === 'warned') slaWarnings.inc();
      else slaBreaches.inc();
    },
    /** the text Prometheus scrapes, and its content type */
    async exposition(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
