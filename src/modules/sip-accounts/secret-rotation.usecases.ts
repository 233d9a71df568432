import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import { encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { assertAccountLive } from './account-status.ts';
import type { AccountWatch } from './account-watch.ts';
import type { ProvisioningQueue } from './provisioning-queue.port.ts';
import { rotationRefusedError } from './secret-rotation.errors.ts';
import { createSecretRotationRepository } from './secret-rotation.repository.ts';
import { sipAccountMissingError } from './sip-accounts.errors.ts';
import { createSipAccountsRepository } from './sip-accounts.repository.ts';
import type { SipAccountRow } from './sip-accounts.table.ts';

export interface RotationState {
  /**
   * pending: the old secret is still the live one; active: the new secret is live and the old one refused;
   * failed: the PBX refused the new secret for good, the old one stays live (rotating again retries).
   */
  status: 'pending' | 'active' | 'failed';
  extension: string;
  /** The version the new secret has (or will have) once live. */
  secretVersion: number;
}

const UNFINISHED = new Set(['queued', 'running', 'awaiting_apply']);

export function createSecretRotationUseCases({ db, queue, watch, cache, encryptionKey, provisionWaitMs, logger }: {
  db: Database;
  queue: ProvisioningQueue;
  watch: Pick<AccountWatch, 'waitFor'>;
  /** This instance's credential cache: a rotation it saw go live drops the old secret at once (other instances by NOTIFY). */
  cache?: { forget(userId: string): void };
  encryptionKey: Buffer;
  provisionWaitMs: number;
  logger: Logger;
}) {
  const accounts = createSipAccountsRepository({ db });

  async function loadLiveAccount(userId: string): Promise<SipAccountRow> {
    const account = await accounts.findByUserId(userId);
    assertAccountLive(account);
    return account;
  }

  const lastUpdateFailed = async (accountId: string) => {
    const latest = await queue.latestJobFor(accountId);
    return latest?.kind === 'update' && latest.state === 'failed';
  };

  const stateOf = (account: SipAccountRow): RotationState =>
    account.nextSecretCiphertext
      ? { status: 'pending', extension: account.extension, secretVersion: account.secretVersion + 1 }
      : { status: 'active', extension: account.extension, secretVersion: account.secretVersion };

  /** Draws the next secret (unless a rotation is under way) and queues its push; the version it will have. */
  async function queueRotation(tx: Transaction, id: string): Promise<number> {
    const started = await createSecretRotationRepository({ db: tx }).setNextSecret(id, encryptSecret(encryptionKey, generateSipSecret()));
    const account = (await createSipAccountsRepository({ db: tx }).findById(id))!;
    // Read in the transaction: on the embedded database a query beside an open transaction waits for it.
    const latest = started ? undefined : await queue.latestJobFor(id, tx);
    if (!(latest?.kind === 'update' && UNFINISHED.has(latest.state))) {
      await queue.enqueue(tx, { sipAccountId: id, extension: account.extension, kind: 'update', secretVersion: account.secretVersion + 1 });
    }
    return account.secretVersion + 1;
  }

  return {
    /**
     * An admin's rotation, inside the caller's transaction (with its audit entry) and without waiting for the
     * PBX: the same errors as the user's own when the account is not live; kick the worker after the commit.
     */
    async queueRotationOf(tx: Transaction, userId: string): Promise<{ extension: string; secretVersion: number }> {
      const account = await createSipAccountsRepository({ db: tx }).findByUserId(userId);
      assertAccountLive(account);
      return { extension: account.extension, secretVersion: await queueRotation(tx, account.id) };
    },

    /**
     * Starts a rotation (or joins the one under way, restarting its push if that gave up), then waits up to
     * PROVISION_WAIT_MS for the new secret to be live.
     */
    async rotateSecret(userId: string): Promise<RotationState> {
      const { id } = await loadLiveAccount(userId);
      const target = await db.transaction((tx) => queueRotation(tx, id));
      logger.info({ userId, secretVersion: target }, 'SIP secret rotation queued');
      queue.kick();
      let refused = false;
      const account = await watch.waitFor({
        accountId: id,
        timeoutMs: provisionWaitMs,
        settled: async (current) => current.secretVersion >= target || (refused = await lastUpdateFailed(id)),
      });
      if (!account) throw sipAccountMissingError({ detail: 'This user has no SIP account.' });
      if (account.secretVersion >= target) {
        cache?.forget(userId);
        return { status: 'active', extension: account.extension, secretVersion: account.secretVersion };
      }
      if (refused) throw rotationRefusedError({ detail: 'The phone system refused the new secret. Your current secret stays valid; try again later.' });
      return stateOf(account);
    },

    /** Whether a rotation is waiting for the PBX, or was refused by it. */
    async getRotationState(userId: string): Promise<RotationState> {
      const account = await loadLiveAccount(userId);
      const state = stateOf(account);
      return state.status === 'pending' && (await lastUpdateFailed(account.id)) ? { ...state, status: 'failed' } : state;
    },
  };
}

export type SecretRotationUseCases = ReturnType<typeof createSecretRotationUseCases>;
