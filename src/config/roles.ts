// The roles one `helpdesk start` process can take (`--only`): a module of its own so the command
// line can list them without loading the bot.
export type Role = 'ingest' | 'sla' | 'mailer' | 'reports';
export const ALL_ROLES: readonly Role[] = ['ingest', 'sla', 'mailer', 'reports'];
