ALTER TABLE "reserved_extensions" ADD COLUMN "reusable_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deletion_requested_at" timestamp with time zone;