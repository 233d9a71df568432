ALTER TABLE "sip_accounts" ADD COLUMN "registered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sip_accounts" ADD COLUMN "registered_user_agent" text;--> statement-breakpoint
CREATE INDEX "sip_accounts_awaiting_registration_idx" ON "sip_accounts" USING btree ("activated_at") WHERE "sip_accounts"."status" = 'active' and "sip_accounts"."registered_at" is null;