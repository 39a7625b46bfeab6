ALTER TABLE "labels" ADD COLUMN "slug" text collate "C";--> statement-breakpoint
ALTER TABLE "labels" ADD COLUMN "description" text collate "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "labels" ADD COLUMN "parent_id" bigint;--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_parent_id_labels_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."labels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "labels_parent_idx" ON "labels" USING btree ("parent_id");--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_slug_unique" UNIQUE("slug");