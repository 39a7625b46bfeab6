CREATE TABLE "page_revisions" (
	"page_id" bigint NOT NULL,
	"number" bigint NOT NULL,
	"version" bigint NOT NULL,
	"title" text collate "C" NOT NULL,
	"slug" text collate "C" NOT NULL,
	"status" text collate "C" NOT NULL,
	"written_at" timestamp (3) with time zone NOT NULL,
	"replaced_at" timestamp (3) with time zone NOT NULL,
	"replaced_by" text collate "C" NOT NULL,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "page_revisions_page_id_number_pk" PRIMARY KEY("page_id","number")
);
--> statement-breakpoint
CREATE TABLE "trashed_pages" (
	"id" bigint PRIMARY KEY NOT NULL,
	"slug" text collate "C" NOT NULL,
	"title" text collate "C" NOT NULL,
	"status" text collate "C" NOT NULL,
	"parent_id" bigint,
	"version" bigint NOT NULL,
	"trashed_at" timestamp (3) with time zone NOT NULL,
	"trashed_by" text collate "C" NOT NULL,
	"purge_at" timestamp (3) with time zone NOT NULL,
	"content" jsonb NOT NULL,
	CONSTRAINT "trashed_pages_slug_unique" UNIQUE("slug"),
	CONSTRAINT "trashed_pages_status_check" CHECK ("trashed_pages"."status" in ('draft', 'published'))
);
--> statement-breakpoint
ALTER TABLE "page_revisions" ADD CONSTRAINT "page_revisions_page_id_pages_id_fk" FOREIGN KEY ("page_id") REFERENCES "public"."pages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "trashed_pages_trashed_at_idx" ON "trashed_pages" USING btree ("trashed_at","id");--> statement-breakpoint
CREATE INDEX "trashed_pages_purge_at_idx" ON "trashed_pages" USING btree ("purge_at");