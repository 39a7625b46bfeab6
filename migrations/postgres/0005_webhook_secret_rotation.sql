ALTER TABLE "webhooks" ADD COLUMN "previous_secret" text collate "C";--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "previous_secret_expires_at" timestamp (3) with time zone;