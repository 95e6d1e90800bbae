ALTER TABLE "tickets" ADD COLUMN "owner" text;--> statement-breakpoint
CREATE INDEX "tickets_owner" ON "tickets" USING btree ("owner");