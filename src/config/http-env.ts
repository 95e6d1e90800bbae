// The health and metrics port's variables, read beside env.ts (which reads everything else) so
// `helpdesk start` can serve /healthz and /metrics; every error names the variable.
import { z } from '../shared/vendor/zod.ts';
import { HelpdeskError } from '../shared/errors.ts';

export interface HttpEnv {
  host: string;
  port: number;
  /** a mailbox without a successful poll for this long turns /healthz red (ms) */
  mailboxStaleMs: number;
  /** bull-board under /queues: off (default), read-only, or write (retry, remove, promote jobs) */
  queueDashboard: QueueDashboardMode;
}

export const QUEUE_DASHBOARD_MODES = ['off', 'read-only', 'write'] as const;
export type QueueDashboardMode = (typeof QUEUE_DASHBOARD_MODES)[number];

const HttpEnvSchema = z.object({
  HELPDESK_HTTP_PORT: z.coerce.number().int().min(0).max(65535, 'must be a TCP port (0-65535)').optional(),
  HELPDESK_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HELPDESK_HEALTH_MAILBOX_STALE_MS: z.coerce.number().int().positive().default(5 * 60_000),
  HELPDESK_QUEUE_DASHBOARD: z.enum(QUEUE_DASHBOARD_MODES, { error: `must be one of ${QUEUE_DASHBOARD_MODES.join(', ')}` }).default('off'),
});

/** The HTTP settings, or null when HELPDESK_HTTP_PORT is unset (no server). */
export function loadHttpEnv(source: NodeJS.ProcessEnv = process.env): HttpEnv | null {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = HttpEnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new HelpdeskError('config.env_invalid', 'environment is invalid', { details: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
  }
  const data = parsed.data;
  if (data.HELPDESK_HTTP_PORT === undefined) return null;
  return { host: data.HELPDESK_HTTP_HOST, port: data.HELPDESK_HTTP_PORT, mailboxStaleMs: data.HELPDESK_HEALTH_MAILBOX_STALE_MS, queueDashboard: data.HELPDESK_QUEUE_DASHBOARD };
}
