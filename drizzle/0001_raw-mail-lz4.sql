-- Raw mail bodies are large and rarely read: compress their TOAST with lz4 (Postgres >= 14,
-- built --with-lz4 as Debian's and the official images are). drizzle-kit cannot express
-- column compression, hence this hand-written migration.
ALTER TABLE "raw_mails" ALTER COLUMN "raw" SET COMPRESSION lz4;--> statement-breakpoint
ALTER TABLE "raw_mails" ALTER COLUMN "raw" SET STORAGE EXTENDED;
