// TRANSITIONAL re-export, the one import in src/sla/ that points up into tickets: the old
// `createSlaService` keeps src/app.ts, workers/intake.ts, intake and bench/ingest.ts working
// until they use the new parts (see src/tickets/sla-service.transitional.ts). Delete then.
export { createSlaService, type SlaService } from '../tickets/sla-service.transitional.ts';
export type { TimerRequest, TimerStage } from './sla.models.ts';
