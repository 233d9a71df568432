import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { createJobsRepository } from '../provisioning-jobs/jobs.repository.ts';
import type { ProvisioningWorker } from '../provisioning-jobs/provisioning-worker.ts';
import { rotationRefusedError } from './secret-rotation.errors.ts';
import { createSecretRotationRepository } from './secret-rotation.repository.ts';
import { PENDING_RETRY_AFTER_SECONDS } from './sip-account.usecases.ts';
import { sipAccountFailedError, sipAccountMissingError, sipAccountPendingError } from './sip-accounts.errors.ts';
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
const POLL_MS = 100;

export function createSecretRotationUseCases({ db, worker, encryptionKey, provisionWaitMs, logger }: {
  db: Database;
  worker: Pick<ProvisioningWorker, 'kick'>;
  encryptionKey: Buffer;
  provisionWaitMs: number;
  logger: Logger;
}) {
  const accounts = createSipAccountsRepository({ db });

  async function loadLiveAccount(userId: string): Promise<SipAccountRow> {
    const account = await accounts.findByUserId(userId);
    if (!account || account.status === 'deleting') throw sipAccountMissingError({ detail: 'This user has no SIP account.' });
    if (account.status === 'pending') {
      throw sipAccountPendingError({
        detail: 'Your SIP extension is still being created; rotate its secret once it is live.',
        headers: { 'retry-after': String(PENDING_RETRY_AFTER_SECONDS) },
      });
    }
    if (account.status === 'failed') throw sipAccountFailedError({ detail: 'Your SIP extension could not be set up. Please contact support.' });
    return account;
  }

  const lastUpdateFailed = async (accountId: string) => {
    const latest = await createJobsRepository({ db }).findLatestForAccount(accountId);
    return latest?.kind === 'update' && latest.state === 'failed';
  };

  const stateOf = (account: SipAccountRow): RotationState =>
    account.nextSecretCiphertext
      ? { status: 'pending', extension: account.extension, secretVersion: account.secretVersion + 1 }
      : { status: 'active', extension: account.extension, secretVersion: account.secretVersion };

  return {
    /**
     * Starts a rotation (or joins the one under way, restarting its push if that gave up), then waits up to
     * PROVISION_WAIT_MS for the new secret to be live.
     */
    async rotateSecret(userId: string): Promise<RotationState> {
      const { id } = await loadLiveAccount(userId);
      const target = await db.transaction(async (tx) => {
        const started = await createSecretRotationRepository({ db: tx }).setNextSecret(id, encryptSecret(encryptionKey, generateSipSecret()));
        const account = (await createSipAccountsRepository({ db: tx }).findById(id))!;
        const jobs = createJobsRepository({ db: tx });
        const latest = started ? undefined : await jobs.findLatestForAccount(id);
        if (!(latest?.kind === 'update' && UNFINISHED.has(latest.state))) {
          await jobs.enqueue({ sipAccountId: id, extension: account.extension, kind: 'update', secretVersion: account.secretVersion + 1 });
        }
        return account.secretVersion + 1;
      });
      logger.info({ userId, secretVersion: target }, 'SIP secret rotation queued');
      worker.kick();
      const deadline = Date.now() + provisionWaitMs;
      for (;;) {
        const account = await accounts.findById(id);
        if (!account) throw sipAccountMissingError({ detail: 'This user has no SIP account.' });
        if (account.secretVersion >= target) return { status: 'active', extension: account.extension, secretVersion: account.secretVersion };
        if (await lastUpdateFailed(id)) {
          throw rotationRefusedError({ detail: 'The phone system refused the new secret. Your current secret stays valid; try again later.' });
        }
        if (Date.now() >= deadline) return stateOf(account);
        await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      }
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
