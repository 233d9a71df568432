import type { Database } from '../../db/database.ts';
import { decryptSecret } from '../../shared/crypto.ts';
import type { SipTransport } from '../../config/load-config.ts';
import { createJobsRepository } from '../provisioning-jobs/jobs.repository.ts';
import { notAuthenticatedError } from '../auth/auth.errors.ts';
import type { UserRow } from '../users/users.table.ts';
import type { SipCredentials } from './sip-credentials.ts';
import { sipAccountFailedError, sipAccountMissingError, sipAccountPendingError } from './sip-accounts.errors.ts';
import { createSipAccountsRepository } from './sip-accounts.repository.ts';
import type { SipAccountRow } from './sip-accounts.table.ts';
import type { AccountCache } from './account-cache.ts';

/** Seconds a client should wait before asking again while the PBX finishes the account. */
export const PENDING_RETRY_AFTER_SECONDS = 5;

export function defaultDisplayName(user: Pick<UserRow, 'displayName' | 'email'>): string {
  return user.displayName ?? user.email.split('@')[0]!;
}

export function createSipAccountUseCases({ db, encryptionKey, sip, cache }: {
  db: Database;
  encryptionKey: Buffer;
  sip: { domain: string; port: number; transport: SipTransport };
  /** Live accounts kept in memory, invalidated by the database's change notices (see account-cache.ts). */
  cache?: Pick<AccountCache, 'get' | 'set' | 'beginRead'>;
}) {
  const accounts = createSipAccountsRepository({ db });

  async function loadUserWithAccount(userId: string) {
    const found = await accounts.findUserWithAccount(userId);
    // A valid token for a user deleted since it was issued.
    if (!found) throw notAuthenticatedError({ detail: 'The user of this token no longer exists.' });
    return found;
  }

  return {
    /** The credentials of a live account; a clear error while it is pending or after it failed. */
    async getCredentials(userId: string): Promise<SipCredentials> {
      const cached = cache?.get(userId);
      if (cached) return cached;
      const readToken = cache?.beginRead() ?? 0;
      const { user, account } = await loadUserWithAccount(userId);
      if (!account) throw sipAccountMissingError({ detail: 'This user has no SIP account.' });
      assertLive(account);
      const credentials: SipCredentials = {
        username: account.extension,
        password: decryptSecret(encryptionKey, account.secretCiphertext),
        domain: sip.domain,
        port: sip.port,
        transport: sip.transport,
        display_name: defaultDisplayName(user),
        auth_username: account.extension,
      };
      cache?.set(userId, credentials, readToken);
      return credentials;
    },

    /** The user and the state of their SIP account, for GET /auth/me. */
    async getAccountState(userId: string) {
      const { user, account } = await loadUserWithAccount(userId);
      const job = account ? await createJobsRepository({ db }).findLatestForAccount(account.id) : undefined;
      return { user, account, job };
    },
  };
}

function assertLive(account: Pick<SipAccountRow, 'status'>): void {
  if (account.status === 'pending') {
    throw sipAccountPendingError({
      detail: 'Your SIP extension is being created on the phone system. Try again in a few seconds.',
      headers: { 'retry-after': String(PENDING_RETRY_AFTER_SECONDS) },
    });
  }
  if (account.status === 'failed') {
    throw sipAccountFailedError({ detail: 'The phone system refused to create your SIP extension. Please contact support.' });
  }
}

export type SipAccountUseCases = ReturnType<typeof createSipAccountUseCases>;
