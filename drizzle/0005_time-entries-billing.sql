ALTER TABLE "time_entries" ADD COLUMN "free_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "from_lots" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "price_explanation" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "explanation" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "kind" text;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "work_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "work_end" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "reverses_entry_id" uuid;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "time_entries" ADD COLUMN "receipt_outbound_id" uuid;--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_reverses_entry_id_time_entries_id_fk" FOREIGN KEY ("reverses_entry_id") REFERENCES "public"."time_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "time_entries_idempotency_key" ON "time_entries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "time_entries_receipt" ON "time_entries" USING btree ("receipt_outbound_id");--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_kind_valid" CHECK ("time_entries"."kind" in ('incident', 'request'));