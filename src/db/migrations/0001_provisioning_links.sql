CREATE TABLE "provisioning_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sip_account_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"secret_version" integer NOT NULL,
	"mode" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone,
	"device_fingerprint" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "provisioning_links_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "sip_accounts" ADD COLUMN "next_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "provisioning_links" ADD CONSTRAINT "provisioning_links_sip_account_id_sip_accounts_id_fk" FOREIGN KEY ("sip_account_id") REFERENCES "public"."sip_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provisioning_links_sip_account_id_idx" ON "provisioning_links" USING btree ("sip_account_id");