import { and, eq, lt, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import { provisioningLinks, type ProvisioningLinkMode } from './provisioning-links.table.ts';

export function createProvisioningLinksRepository({ db }: { db: Queryable }) {
  return {
    async insert(link: { sipAccountId: string; tokenHash: string; secretVersion: number; mode: ProvisioningLinkMode; expiresAt: Date }): Promise<void> {
      await db.insert(provisioningLinks).values(link);
    },

    /** Housekeeping on each new link: the account's expired links are of no use to anyone. */
    async deleteExpired(sipAccountId: string): Promise<void> {
      await db.delete(provisioningLinks).where(and(eq(provisioningLinks.sipAccountId, sipAccountId), lt(provisioningLinks.expiresAt, sql`now()`)));
    },

    /**
     * Keeps the account's `keep` newest unused links and revokes (deletes) older unused ones. Run after each
     * insert: whatever the interleaving, the last statement to run sees every committed link.
     */
    async revokeOldestUnused(sipAccountId: string, keep: number): Promise<void> {
      await db.execute(sql`
        delete from provisioning_links where id in (
          select id from provisioning_links
          where sip_account_id = ${sipAccountId} and consumed_at is null and expires_at > now()
          order by created_at desc, id desc offset ${keep})`);
    },

    /** The user of a link that still works, without using it up (`fingerprint` null: an unused link only). */
    async findUsable(tokenHash: string, fingerprint: string | null = null): Promise<{ userId: string; locale: string | null } | undefined> {
      const rows = await queryRows<{ userId: string; locale: string | null }>(db, sql`
        select a.user_id as "userId", (select u.locale from users u where u.id = a.user_id) as locale
        from provisioning_links l, sip_accounts a
        where ${usable(tokenHash, fingerprint)} limit 1`);
      return rows[0];
    },

    /**
     * Uses the link up (binding it to `fingerprint` in device mode) in one statement, so two phones racing
     * for one link can never both win. Returns the user when this request may have the configuration.
     */
    async consume(tokenHash: string, fingerprint: string): Promise<{ userId: string } | undefined> {
      const rows = await queryRows<{ userId: string }>(db, sql`
        update provisioning_links l
        set consumed_at = coalesce(l.consumed_at, now()), device_fingerprint = coalesce(l.device_fingerprint, ${fingerprint})
        from sip_accounts a
        where ${usable(tokenHash, fingerprint)}
        returning a.user_id as "userId"`);
      return rows[0];
    },
  };
}

/**
 * A link works while it has not expired, its account is active with the secret version it was made for,
 * and it was not used up (or, in device mode, was used by this very device).
 */
function usable(tokenHash: string, fingerprint: string | null) {
  return sql`l.token_hash = ${tokenHash} and a.id = l.sip_account_id and a.status = 'active'
    and a.secret_version = l.secret_version and l.expires_at > now()
    and (l.consumed_at is null or (l.mode = 'device' and l.device_fingerprint = ${fingerprint}))`;
}
