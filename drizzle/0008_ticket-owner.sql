ALTER TABLE "ticket_events" DROP CONSTRAINT "ticket_events_type_valid";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "owner" text;--> statement-breakpoint
CREATE INDEX "tickets_owner" ON "tickets" USING btree ("owner");--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_type_valid" CHECK ("ticket_events"."type" in ('opened', 'ack_suppressed', 'status', 'reopened', 'follow_up_after_close', 'bounce', 'technician_unverified', 'owner', 'priority', 'kind', 'time', 'estimate', 'sla_met', 'sla_recomputed', 'sla_warning', 'sla_breach'));