CREATE TABLE "registration_watch_lease" (
	"id" integer PRIMARY KEY NOT NULL,
	"holder" text,
	"expires_at" timestamp with time zone,
	"last_started_at" timestamp with time zone
);
