// The operator's HTTP port (`HELPDESK_HTTP_PORT`): GET /healthz and GET /metrics, on node:http
// (two read-only routes need no framework), and the optional queue dashboard under /queues. Bound to loopback unless HELPDESK_HTTP_HOST says
// otherwise: the health report names mailboxes and errors.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { HealthMonitor } from './health.ts';
import type { Metrics } from './metrics.ts';
import { QUEUE_DASHBOARD_PATH, type QueueDashboardHandler } from './queue-dashboard-path.ts';

export interface HttpServer {
  /** e.g. http://127.0.0.1:9464 (the real port when 0 was asked for) */
  url: string;
  close(): Promise<void>;
}

export async function startHttpServer(deps: {
  host: string;
  port: number;
  health: HealthMonitor;
  metrics: Metrics;
  logger: Logger;
  /** bull-board, when HELPDESK_QUEUE_DASHBOARD asks for it */
  dashboard?: QueueDashboardHandler | null;
}): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async () => {
      if (deps.dashboard && (path === QUEUE_DASHBOARD_PATH || path?.startsWith(`${QUEUE_DASHBOARD_PATH}/`))) {
        await new Promise<void>((resolve, reject) => {
          res.once('finish', resolve);
          res.once('close', resolve);
          deps.dashboard!(req, res, (err) => {
            if (err !== undefined) reject(err instanceof Error ? err : new Error(String(err)));
            else if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
          });
        });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        const report = await deps.health.check();
        res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      if (path === '/metrics') {
        const { contentType, body } = await deps.metrics.exposition();
        res.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: try /healthz or /metrics${deps.dashboard ? ` or ${QUEUE_DASHBOARD_PATH}` : ''}\n`);
    };
    answer().catch((err: unknown) => {
      deps.logger.error({ err: errorMessage(err), path }, 'http request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`error: ${errorMessage(err)}\n`);
    });
  });
  // A health check must not keep a stopping process alive.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => deps.logger.error({ err: errorMessage(err) }, 'http server error'));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  deps.logger.info({ url }, 'health and metrics served');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
