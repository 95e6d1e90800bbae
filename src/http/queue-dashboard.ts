// The optional queue dashboard (HELPDESK_QUEUE_DASHBOARD): bull-board's UI for the mail and SLA
// timer queues under /queues on the operator's port. Loaded only when asked for: bull-board and
// express are not needed by a bot that does not serve it.
//
// Read-only unless the operator says `write`: retrying or removing a job by hand is safe here (a
// job only carries an outbound row's or a ticket's id, the rows in Postgres decide, and the
// reconcile re-queues what is missing) but it is an operator's decision, not a default.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { QUEUE_DASHBOARD_PATH, type QueueDashboardHandler } from './queue-dashboard-path.ts';

export function createQueueDashboard(deps: { queues: readonly Queue[]; readOnly: boolean; title: string }): QueueDashboardHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: deps.readOnly, allowRetries: !deps.readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: deps.title } },
  });
  const app = serverAdapter.getRouter() as unknown as QueueDashboardHandler;
  return (req, res, done) => {
    // The board's routes are relative to where it is mounted (an express app would strip the
    // prefix in app.use); its links use the base path set above.
    const url = req.url ?? '/';
    req.url = url.slice(QUEUE_DASHBOARD_PATH.length) || '/';
    app(req, res, done);
  };
}
