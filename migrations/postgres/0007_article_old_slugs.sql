CREATE TABLE "article_old_slugs" (
	"slug" text collate "C" PRIMARY KEY NOT NULL,
	"article_id" bigint NOT NULL,
	"replaced_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "article_old_slugs" ADD CONSTRAINT "article_old_slugs_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "article_old_slugs_article_idx" ON "article_old_slugs" USING btree ("article_id");