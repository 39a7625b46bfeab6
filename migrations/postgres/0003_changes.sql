CREATE TABLE "changes" (
	"position" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"resource" text collate "C" NOT NULL,
	"resource_id" text collate "C" NOT NULL,
	"slug" text collate "C",
	"kind" text collate "C" NOT NULL,
	"fields" jsonb NOT NULL,
	"article_id" bigint,
	"author_id" bigint,
	"public_before" boolean NOT NULL,
	"public_after" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "write_stamp" ADD COLUMN "change_position" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "changes_at_idx" ON "changes" USING btree ("at");