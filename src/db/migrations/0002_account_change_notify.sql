-- Tells every instance that a user's account data changed, so in-process caches of it drop the entry
-- (see src/modules/sip-accounts/account-cache.ts). NOTIFY is delivered at commit, to every listener.
CREATE OR REPLACE FUNCTION notify_user_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN PERFORM pg_notify('account_changed', OLD.id::text);
  ELSE PERFORM pg_notify('account_changed', NEW.id::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION notify_sip_account_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN PERFORM pg_notify('account_changed', OLD.user_id::text);
  ELSE PERFORM pg_notify('account_changed', NEW.user_id::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_notify_account_changed AFTER UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION notify_user_changed();
--> statement-breakpoint
CREATE TRIGGER sip_accounts_notify_account_changed AFTER UPDATE OR DELETE ON "sip_accounts"
  FOR EACH ROW EXECUTE FUNCTION notify_sip_account_changed();
