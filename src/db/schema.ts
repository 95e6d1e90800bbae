// Every table, for drizzle-kit and for typed queries.
export * from '../contracts/contracts.tables.ts';
export * from '../tickets/tickets.tables.ts';
export * from '../mail/mail.tables.ts';
export * from '../sla/sla.tables.ts';
