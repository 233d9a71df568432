-- How many live accounts are still waiting for their phone (status 'active' and registered_at null), for the
-- planner. Without it, it multiplies the two conditions' frequencies as if they were independent, while a null
-- registered_at is mostly the mark of an account not live yet: it then takes a few waiting accounts among many
-- registered ones for thousands, and GET /admin/users?status=active&registered=false walks users_created_at_id_idx
-- through every user before the page's few, instead of reading them off sip_accounts_awaiting_registration_idx
-- (docs/ARCHITECTURE.md, "Listing at 1,000,000 users"). The list of the most common pairs of the two columns
-- holds (active, null) and (pending, null) as they are (every registered_at after is a time of its own).
CREATE STATISTICS IF NOT EXISTS "sip_accounts_status_registered_stats" (mcv) ON "status", "registered_at" FROM "sip_accounts";--> statement-breakpoint
ANALYZE "sip_accounts";
