CREATE TABLE "retention_lease" (
	"id" integer PRIMARY KEY NOT NULL,
	"holder" text,
	"expires_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "extension_cursors" (
	"range_first" bigint PRIMARY KEY NOT NULL,
	"next_candidate" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "extension_holes" (
	"extension_number" bigint PRIMARY KEY NOT NULL,
	"freed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "provisioning_jobs_sip_account_id_created_at_idx" ON "provisioning_jobs" USING btree ("sip_account_id","created_at");--> statement-breakpoint
CREATE INDEX "reserved_extensions_extension_number_idx" ON "reserved_extensions" USING btree ((case when "extension" ~ '^[1-9][0-9]{0,17}$' then "extension"::bigint end));--> statement-breakpoint
CREATE INDEX "sip_accounts_extension_number_idx" ON "sip_accounts" USING btree ((case when "extension" ~ '^[1-9][0-9]{0,17}$' then "extension"::bigint end));