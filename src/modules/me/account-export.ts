import { desc, eq } from 'drizzle-orm';
import { Type, type Static } from '@sinclair/typebox';
import type { Queryable } from '../../db/database.ts';
import { Timestamp } from '../../shared/schemas.ts';
import { sessions } from '../auth/sessions.table.ts';
import { credentialAccessLog } from '../credential-access/credential-access.table.ts';
import { provisioningJobs } from '../provisioning-jobs/jobs.table.ts';
import { provisioningLinks } from '../provisioning/provisioning-links.table.ts';
import { describeProvisioningError } from '../sip-accounts/provisioning-error-text.ts';
import { sipAccounts } from '../sip-accounts/sip-accounts.table.ts';
import { users } from '../users/users.table.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const iso = (date: Date | null) => date?.toISOString() ?? null;

/**
 * Everything held about a user, for GET /auth/me/export (GDPR art. 15 and 20). Never a password hash, a SIP
 * secret, a link token or its hash, nor a device fingerprint: a copy of the data, not a key to the account.
 * Each part of the service that keeps data about a person adds its section here, schema and reader.
 */
export const AccountExport = Type.Object({
  exported_at: Timestamp,
  profile: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    display_name: Nullable(Type.String()),
    is_active: Type.Boolean(),
    created_at: Timestamp,
    email_verified_at: Nullable(Timestamp),
    locale: Nullable(Type.String()),
  }),
  sip_account: Nullable(Type.Object({
    extension: Type.String(),
    status: Type.String(),
    last_error: Nullable(Type.String()),
    secret_version: Type.Integer({ description: 'How many SIP secrets the account has had (rotations + 1); never the secret.' }),
    rotation_pending: Type.Boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
    activated_at: Nullable(Timestamp),
    registered_at: Nullable(Timestamp),
    registered_user_agent: Nullable(Type.String({ description: 'The User-Agent of the first phone seen registered with the account.' })),
  })),
  provisioning_links: Type.Array(Type.Object({
    mode: Type.String(),
    created_at: Timestamp,
    expires_at: Timestamp,
    used_at: Nullable(Timestamp),
  })),
  sessions: Type.Array(Type.Object({
    created_at: Timestamp,
    last_used_at: Timestamp,
    expires_at: Timestamp,
    ip_address: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    ended_at: Nullable(Timestamp),
    end_reason: Nullable(Type.String()),
  }), { description: 'Every sign-in still held (ended ones until REFRESH_TOKEN_EXPIRE_DAYS after their end); never a token.' }),
  credential_access_log: Type.Array(Type.Object({
    accessed_at: Timestamp,
    channel: Type.String(),
    address: Type.String(),
    user_agent: Nullable(Type.String()),
    count: Type.Integer({ description: 'Identical deliveries within one second share one entry.' }),
  }), { description: 'Every delivery of the SIP secret still held (ACCESS_LOG_RETENTION_DAYS), newest first.' }),
  provisioning_jobs: Type.Array(Type.Object({
    kind: Type.String(),
    state: Type.String(),
    attempts: Type.Integer(),
    last_error: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })),
});

export async function readAccountExport(db: Queryable, userId: string): Promise<Static<typeof AccountExport> | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  // Gone, or leaving: the token is refused like everywhere else.
  if (!user || user.deletionRequestedAt) return undefined;
  const [account] = await db.select().from(sipAccounts).where(eq(sipAccounts.userId, userId)).limit(1);
  const links = account
    ? await db.select().from(provisioningLinks).where(eq(provisioningLinks.sipAccountId, account.id)).orderBy(desc(provisioningLinks.createdAt))
    : [];
  const jobs = account
    ? await db.select().from(provisioningJobs).where(eq(provisioningJobs.sipAccountId, account.id)).orderBy(desc(provisioningJobs.createdAt))
    : [];
  const signIns = await db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.createdAt));
  const deliveries = await db.select().from(credentialAccessLog).where(eq(credentialAccessLog.userId, userId))
    .orderBy(desc(credentialAccessLog.accessedAt), desc(credentialAccessLog.id));
  return {
    exported_at: new Date().toISOString(),
    profile: {
      id: user.id,
      email: user.email,
      display_name: user.displayName,
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
      email_verified_at: iso(user.emailVerifiedAt),
      locale: user.locale,
    },
    sip_account: account
      ? {
          extension: account.extension,
          status: account.status,
          last_error: describeProvisioningError(account.lastError),
          secret_version: account.secretVersion,
          rotation_pending: account.nextSecretCiphertext !== null,
          created_at: account.createdAt.toISOString(),
          updated_at: account.updatedAt.toISOString(),
          activated_at: iso(account.activatedAt),
          registered_at: iso(account.registeredAt),
          registered_user_agent: account.registeredUserAgent,
        }
      : null,
    provisioning_links: links.map((link) => ({
      mode: link.mode,
      created_at: link.createdAt.toISOString(),
      expires_at: link.expiresAt.toISOString(),
      used_at: iso(link.consumedAt),
    })),
    sessions: signIns.map((session) => ({
      created_at: session.createdAt.toISOString(),
      last_used_at: session.lastUsedAt.toISOString(),
      expires_at: session.expiresAt.toISOString(),
      ip_address: session.ipAddress,
      user_agent: session.userAgent,
      ended_at: iso(session.revokedAt),
      end_reason: session.revokeReason,
    })),
    credential_access_log: deliveries.map((entry) => ({
      accessed_at: entry.accessedAt.toISOString(),
      channel: entry.channel,
      address: entry.address,
      user_agent: entry.userAgent,
      count: entry.count,
    })),
    provisioning_jobs: jobs.map((job) => ({
      kind: job.kind,
      state: job.state,
      attempts: job.attempts,
      last_error: describeProvisioningError(job.lastError),
      created_at: job.createdAt.toISOString(),
      updated_at: job.updatedAt.toISOString(),
    })),
  };
}
