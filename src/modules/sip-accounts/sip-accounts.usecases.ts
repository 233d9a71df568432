import type { Database, Transaction } from '../../db/database.ts';
import type { SipTransport } from '../../config/load-config.ts';
import { decryptSecret, encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { notAuthenticatedError } from '../auth/auth.errors.ts';
import { defaultDisplayName } from '../users/display-name.ts';
import type { AccountCache } from './account-cache.ts';
import { assertAccountLive } from './account-status.ts';
import type { AccountWatch } from './account-watch.ts';
import type { ProvisioningQueue } from './provisioning-queue.port.ts';
import type { MediaEncryption, SipCredentials } from './sip-credentials.ts';
import { extensionsExhaustedError } from './sip-accounts.errors.ts';
import { createSipAccountsRepository } from './sip-accounts.repository.ts';
import type { SipAccountRow } from './sip-accounts.table.ts';

export function createSipAccountUseCases({ db, encryptionKey, sip, extensionRange, queue, watch, cache }: {
  db: Database;
  encryptionKey: Buffer;
  sip: { domain: string; port: number; transport: SipTransport; proxy?: string | null; mediaEncryption?: MediaEncryption };
  extensionRange: { first: number; last: number };
  queue: Pick<ProvisioningQueue, 'enqueue' | 'latestJobFor'>;
  watch: Pick<AccountWatch, 'waitFor'>;
  /** Live accounts kept in memory, invalidated by the database's change notices (see account-cache.ts). */
  cache?: Pick<AccountCache, 'get' | 'set' | 'beginRead'>;
}) {
  const accounts = createSipAccountsRepository({ db });

  async function loadUserWithAccount(userId: string) {
    const found = await accounts.findUserWithAccount(userId);
    // A valid token for a user deleted since it was issued, or who asked to be (DELETE /auth/me): the row
    // every bearer route reads anyway says so, so refusing it costs the hot path nothing.
    if (!found) throw notAuthenticatedError({ detail: 'The user of this token no longer exists.' });
    if (found.user.deletionRequestedAt) throw notAuthenticatedError({ detail: 'This account is being deleted.' });
    return found;
  }

  /** Reads a live account's credentials from the database (and fills the cache). */
  async function readCredentials(userId: string): Promise<SipCredentials> {
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
      proxy: sip.proxy ?? null,
      media_encryption: sip.mediaEncryption ?? 'none',
    };
    cache?.set(userId, credentials, readToken);
    return credentials;
  }

  const credentialsNow = (userId: string): SipCredentials | Promise<SipCredentials> => cache?.get(userId) ?? readCredentials(userId);

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

    /**
     * The user is leaving: inside the caller's transaction, the account turns `deleting` (credentials and
     * links refused from the commit on) and a delete job is queued; its completion erases the user
     * (account-provisioning.ts). False when the user has no account: nothing to remove from the PBX.
     */
    async closeAccount(tx: Transaction, userId: string): Promise<boolean> {
      const repository = createSipAccountsRepository({ db: tx });
      const account = await repository.findByUserId(userId);
      if (!account) return false;
      await repository.setStatus(account.id, 'deleting');
      await queue.enqueue(tx, { sipAccountId: account.id, extension: account.extension, kind: 'delete' });
      return true;
    },

    /**
     * The user's name changed: a live account gets an update job that pushes it to the PBX (with the secret
     * of the version it stands at, so a rotation under way is pushed and promoted as usual). A pending account's
     * create job reads the name when it runs.
     */
    async pushProfile(tx: Transaction, userId: string): Promise<void> {
      const account = await createSipAccountsRepository({ db: tx }).findByUserId(userId);
      if (account?.status !== 'active') return;
      const secretVersion = account.secretVersion + (account.nextSecretCiphertext ? 1 : 0);
      await queue.enqueue(tx, { sipAccountId: account.id, extension: account.extension, kind: 'update', secretVersion });
    },

    /** The account once it has left 'pending' (live or failed), or as it stands after `timeoutMs`. */
    async waitUntilSettled(account: SipAccountRow, timeoutMs: number): Promise<SipAccountRow> {
      const settled = await watch.waitFor({ accountId: account.id, timeoutMs, settled: (current) => current.status !== 'pending' });
      return settled ?? account;
    },

    /** The credentials of a live account; a clear error while it is pending or after it failed. */
    getCredentials: async (userId: string): Promise<SipCredentials> => credentialsNow(userId),

    /** The same, as a plain value when the account cache has it: the hot path then makes no promise. */
    credentialsNow,

    /** The user and the state of their SIP account, for GET /auth/me. */
    async getAccountState(userId: string) {
      const { user, account } = await loadUserWithAccount(userId);
      const job = account ? await queue.latestJobFor(account.id) : undefined;
      return { user, account, job };
    },
  };
}

export type SipAccountUseCases = ReturnType<typeof createSipAccountUseCases>;
