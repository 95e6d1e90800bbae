ALTER TABLE "contracts" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "ended_reason" text;--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_ended_reason_valid" CHECK ("contracts"."ended_reason" in ('exhausted', 'expired'));