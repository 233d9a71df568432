-- Extension allocation (docs/ARCHITECTURE.md, "Extension allocation"): the lowest free number of a range,
-- at a cost that does not grow with how many numbers are taken, and without a lock that serialises sign-ups.
--  * extension_cursors: per range, a number below which everything is taken or listed in extension_holes;
--  * extension_holes: numbers freed later (triggers below), looked at first;
--  * from the cursor up, the numeric indexes on sip_accounts and reserved_extensions find the first gap
--    (usually the cursor itself);
--  * a number is claimed for the allocating transaction with a transaction-scoped advisory lock
--    (7342003, number): concurrent sign-ups skip a number another one holds, uncommitted, instead of waiting
--    for its commit; the UNIQUE constraint on sip_accounts.extension stays the last word.
-- The expression (case when … end) is the one in src/modules/sip-accounts/extension-number.ts, so the
-- indexes are used: keep them alike.
CREATE OR REPLACE FUNCTION extension_is_taken(candidate bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM sip_accounts WHERE (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) = candidate)
      OR EXISTS (SELECT 1 FROM reserved_extensions WHERE (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) = candidate)
$$;
--> statement-breakpoint
-- The lowest number from start_at to last_number that no committed row takes, or null: start_at itself, or
-- else the number after a taken one, the lowest such that is free. Each table is walked on its own (an
-- ordered index scan stopping at its first match) and the lower answer wins: the number before the first
-- free one is taken in one of the two tables.
CREATE OR REPLACE FUNCTION first_free_extension_from(start_at bigint, last_number bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN start_at > last_number THEN NULL WHEN NOT extension_is_taken(start_at) THEN start_at ELSE least(
    (SELECT (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) + 1 FROM sip_accounts
     WHERE (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) >= start_at AND (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) < last_number AND NOT extension_is_taken((case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) + 1)
     ORDER BY (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) LIMIT 1),
    (SELECT (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) + 1 FROM reserved_extensions
     WHERE (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) >= start_at AND (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) < last_number AND NOT extension_is_taken((case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) + 1)
     ORDER BY (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) LIMIT 1)) END
$$;
--> statement-breakpoint
-- Claims and returns the lowest free number of first_number..last_number for the calling transaction (the
-- caller inserts the account in that transaction), or null when the range is used up.
CREATE OR REPLACE FUNCTION allocate_extension(first_number bigint, last_number bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  cursor_at bigint;
  has_cursor boolean;
  candidate bigint;
  -- The lowest number another transaction holds uncommitted: the cursor never moves past it, since that
  -- transaction may still roll back and free it.
  unsure bigint;
BEGIN
  SELECT next_candidate INTO cursor_at FROM extension_cursors WHERE range_first = first_number;
  has_cursor := FOUND;
  cursor_at := greatest(coalesce(cursor_at, first_number), first_number);

  -- Freed numbers below the cursor come first (lowest free number first); stale ones are dropped.
  FOR candidate IN
    SELECT extension_number FROM extension_holes
    WHERE extension_number >= first_number AND extension_number < cursor_at AND extension_number <= last_number
    ORDER BY extension_number
  LOOP
    IF pg_try_advisory_xact_lock(7342003, (candidate % 2147483647)::integer) THEN
      DELETE FROM extension_holes WHERE extension_number = candidate;
      -- Each statement of this (volatile) function sees what committed before it: a fresh check.
      IF NOT extension_is_taken(candidate) THEN RETURN candidate; END IF;
    END IF;
  END LOOP;

  candidate := cursor_at;
  LOOP
    candidate := first_free_extension_from(candidate, last_number);
    IF candidate IS NULL THEN RETURN NULL; END IF;
    IF pg_try_advisory_xact_lock(7342003, (candidate % 2147483647)::integer) THEN
      -- Free in a snapshot taken before the lock: it may have been committed since.
      IF NOT extension_is_taken(candidate) THEN
        IF has_cursor THEN
          -- Never waits: when another sign-up holds the cursor row, it moves the cursor itself.
          UPDATE extension_cursors SET next_candidate = greatest(next_candidate, coalesce(unsure, candidate + 1)), updated_at = now()
          WHERE range_first IN (SELECT range_first FROM extension_cursors WHERE range_first = first_number FOR UPDATE SKIP LOCKED);
        ELSIF pg_try_advisory_xact_lock(7342004, (first_number % 2147483647)::integer) THEN
          -- The range's first allocation: one transaction creates its cursor, the others go on without.
          INSERT INTO extension_cursors (range_first, next_candidate) VALUES (first_number, coalesce(unsure, candidate + 1))
          ON CONFLICT DO NOTHING;
        END IF;
        DELETE FROM extension_holes WHERE extension_number = candidate;
        RETURN candidate;
      END IF;
    ELSE
      unsure := coalesce(unsure, candidate);
    END IF;
    candidate := candidate + 1;
  END LOOP;
END;
$$;
--> statement-breakpoint
-- A number an account or a reservation gives up becomes a hole, found by the next allocation even below
-- the cursor (accounts deleted with their user, moved off a number taken on the PBX, reservations lifted).
CREATE OR REPLACE FUNCTION note_extension_freed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.extension = NEW.extension THEN RETURN NULL; END IF;
  END IF;
  IF OLD.extension ~ '^[1-9][0-9]{0,17}$' THEN
    INSERT INTO extension_holes (extension_number) VALUES (OLD.extension::bigint) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER sip_accounts_note_extension_freed AFTER DELETE OR UPDATE OF extension ON sip_accounts
  FOR EACH ROW EXECUTE FUNCTION note_extension_freed();
--> statement-breakpoint
CREATE TRIGGER reserved_extensions_note_extension_freed AFTER DELETE OR UPDATE OF extension ON reserved_extensions
  FOR EACH ROW EXECUTE FUNCTION note_extension_freed();
