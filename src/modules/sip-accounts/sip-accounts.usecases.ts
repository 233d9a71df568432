import type { Database, Transaction } from '../../db/database.ts';
import type { SipTransport } from '../../config/load-config.ts';
import { decryptSecret, encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { notAuthenticatedError } from '../auth/auth.errors.ts';
import { defaultDisplayName } from '../users/display-name.ts';
import type { AccountCache } from './account-cache.ts';
import { assertAccountLive } from './account-status.ts';
import type { AccountWatch } from './account-watch.ts';
import type { ProvisioningQueue } from './provisioning-queue.port.ts';
import type { SipCredentials } from './sip-credentials.ts';
import { extensionsExhaustedError } from './sip-accounts.errors.ts';
import { createSipAccountsRepository } from './sip-accounts.repository.ts';
import type { SipAccountRow } from './sip-accounts.table.ts';

export function createSipAccountUseCases({ db, encryptionKey, sip, extensionRange, queue, watch, cache }: {
  db: Database;
  encryptionKey: Buffer;
  sip: { domain: string; port: number; transport: SipTransport };
  extensionRange: { first: number; last: number };
  queue: Pick<ProvisioningQueue, 'enqueue' | 'latestJobFor'>;
  watch: Pick<AccountWatch, 'waitFor'>;
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
    /**
     * Allocates the user's extension with a fresh secret and queues its creation on the PBX, inside the
     * caller's transaction: the account and its job commit with the user, or not at all. With
     * `awaitVerification` the number is held but no job is queued until `activateAfterVerification`.
     */
    async openAccount(tx: Transaction, userId: string, { awaitVerification = false } = {}): Promise<SipAccountRow> {
      const repository = createSipAccountsRepository({ db: tx });
      const extension = await repository.allocateExtension(extensionRange);
      if (!extension) {
        throw extensionsExhaustedError({
          detail: `Every extension in ${extensionRange.first}-${extensionRange.last} is taken. An operator must widen EXTENSION_RANGE.`,
        });
      }
      const secretCiphertext = encryptSecret(encryptionKey, generateSipSecret());
      if (awaitVerification) return repository.insert({ userId, extension, secretCiphertext, status: 'awaiting_verification' });
      const account = await repository.insert({ userId, extension, secretCiphertext });
      await queue.enqueue(tx, { sipAccountId: account.id, extension, kind: 'create' });
      return account;
    },

    /**
     * The email is verified: an account held for it goes to the PBX (its create job queued in `tx`). True when
     * a job was queued (kick the worker after the commit); false when there was nothing waiting.
     */
    async activateAfterVerification(tx: Transaction, userId: string): Promise<boolean> {
      const account = await createSipAccountsRepository({ db: tx }).leaveAwaitingVerification(userId);
      if (!account) return false;
      await queue.enqueue(tx, { sipAccountId: account.id, extension: account.extension, kind: 'create' });
      return true;
    },

    /** The account once it has left 'pending' (live or failed), or as it stands after `timeoutMs`. */
    async waitUntilSettled(account: SipAccountRow, timeoutMs: number): Promise<SipAccountRow> {
      const settled = await watch.waitFor({ accountId: account.id, timeoutMs, settled: (current) => current.status !== 'pending' });
      return settled ?? account;
    },

    /** The credentials of a live account; a clear error while it is pending or after it failed. */
    async getCredentials(userId: string): Promise<SipCredentials> {
      const cached = cache?.get(userId);
      if (cached) return cached;
      const readToken = cache?.beginRead() ?? 0;
      const { user, account } = await loadUserWithAccount(userId);
      assertAccountLive(account);
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
      const job = account ? await queue.latestJobFor(account.id) : undefined;
      return { user, account, job };
    },
  };
}

export type SipAccountUseCases = ReturnType<typeof createSipAccountUseCases>;
