// Where the queue dashboard is served and what the HTTP server calls: apart from
// queue-dashboard.ts so the server knows the route without loading bull-board.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const QUEUE_DASHBOARD_PATH = '/queues';

/** An express-style handler: answers, or calls `done` (with an error, or without when nothing matched). */
export type QueueDashboardHandler = (req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void) => void;
