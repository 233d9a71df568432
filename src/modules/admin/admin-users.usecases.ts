import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import type { SessionUseCases } from '../auth/sessions.usecases.ts';
import type { AccountAdministration, AdminAccountChange } from '../sip-accounts/account-administration.ts';
import type { SecretRotationUseCases } from '../sip-accounts/secret-rotation.usecases.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import type { UserRow } from '../users/users.table.ts';
import type { AdminActor } from './admin-guard.ts';
import { accountStateError, userLeavingError, userNotFoundError } from './admin.errors.ts';
import { record } from './audit-log.repository.ts';

/** What an admin action answers (202): the user's state once its transaction committed. */
export interface AdminActionResult {
  user_id: string;
  disabled: boolean;
  account_status: AdminAccountChange['status'] | 'deleting';
}

/**
 * The admin's actions on a user. Each runs in one transaction with its audit entry (who, what, whom, from
 * where), then kicks the worker: the PBX is only ever reached by the jobs they queue.
 */
export function createAdminUserActions({ db, sessions, accounts, rotation, removeUser, kickProvisioning, logger }: {
  db: Database;
  sessions: Pick<SessionUseCases, 'endAll' | 'forget'>;
  accounts: AccountAdministration;
  rotation: Pick<SecretRotationUseCases, 'queueRotationOf'>;
  /** The user's own deletion without the password check (me/delete-account.ts). */
  removeUser: (user: UserRow, options: { reason: string; alsoInTransaction?: (tx: Transaction) => Promise<void> }) => Promise<boolean>;
  kickProvisioning: () => void;
  logger: Logger;
}) {
  const users = createUsersRepository({ db });

  async function target(userId: string): Promise<UserRow> {
    const user = await users.findById(userId);
    if (!user) throw userNotFoundError({ detail: 'No user has this id.' });
    if (user.deletionRequestedAt) throw userLeavingError({ detail: 'This user is being deleted.' });
    return user;
  }

  /** Runs `change` and the audit entry in one transaction; `detail` of the entry comes from what `change` did. */
  async function act(actor: AdminActor, action: string, user: UserRow, change: (tx: Transaction) => Promise<{ result: AdminActionResult; detail: Record<string, unknown> }>) {
    const { result, detail } = await db.transaction(async (tx) => {
      const done = await change(tx);
      await record(tx, { actorUserId: actor.userId, action, targetUserId: user.id, address: actor.address, userAgent: actor.userAgent, detail: done.detail });
      return done;
    });
    kickProvisioning();
    logger.info({ adminUserId: actor.userId, userId: user.id, action }, 'Admin action');
    return result;
  }

  return {
    /** Logins (403 user_inactive), every session and the credentials refused from the commit on; the extension leaves the PBX. */
    async disable(actor: AdminActor, userId: string): Promise<AdminActionResult> {
      const user = await target(userId);
      let ended: string[] = [];
      const result = await act(actor, 'user.disable', user, async (tx) => {
        const changed = await createUsersRepository({ db: tx }).setActive(user.id, false);
        ended = await sessions.endAll(user.id, 'user_disabled', tx);
        const account = await accounts.disable(tx, user.id);
        return { result: { user_id: user.id, disabled: true, account_status: account.status }, detail: { changed, extension: account.extension, sessions_ended: ended.length } };
      });
      sessions.forget(ended);
      return result;
    },

    /** Logins allowed again; a disabled extension comes back with a new secret. */
    async enable(actor: AdminActor, userId: string): Promise<AdminActionResult> {
      const user = await target(userId);
      return act(actor, 'user.enable', user, async (tx) => {
        const changed = await createUsersRepository({ db: tx }).setActive(user.id, true);
        const account = await accounts.enable(tx, user.id);
        return { result: { user_id: user.id, disabled: false, account_status: account.status }, detail: { changed, extension: account.extension, new_secret: account.outcome === 'queued' } };
      });
    },

    async reprovision(actor: AdminActor, userId: string): Promise<AdminActionResult> {
      const user = await target(userId);
      return act(actor, 'user.reprovision', user, async (tx) => {
        const account = await accounts.reprovision(tx, user.id);
        if (account.outcome === 'not_possible') {
          throw accountStateError({ detail: account.status ? `The account is ${account.status}: nothing to push.` : 'This user has no SIP account.' });
        }
        return { result: { user_id: user.id, disabled: !user.isActive, account_status: account.status }, detail: { extension: account.extension } };
      });
    },

    async rotateSecret(actor: AdminActor, userId: string): Promise<AdminActionResult> {
      const user = await target(userId);
      return act(actor, 'user.rotate_secret', user, async (tx) => {
        const { extension, secretVersion } = await rotation.queueRotationOf(tx, user.id);
        return { result: { user_id: user.id, disabled: !user.isActive, account_status: 'active' }, detail: { extension, secret_version: secretVersion } };
      });
    },

    /** The user's own deletion, without the password: refused at once everywhere, erased once off the PBX. */
    async remove(actor: AdminActor, userId: string): Promise<AdminActionResult> {
      const user = await target(userId);
      await removeUser(user, {
        reason: 'deleted_by_admin',
        alsoInTransaction: (tx) => record(tx, { actorUserId: actor.userId, action: 'user.delete', targetUserId: user.id, address: actor.address, userAgent: actor.userAgent, detail: {} }),
      });
      logger.info({ adminUserId: actor.userId, userId: user.id, action: 'user.delete' }, 'Admin action');
      return { user_id: user.id, disabled: !user.isActive, account_status: 'deleting' };
    },
  };
}

export type AdminUserActions = ReturnType<typeof createAdminUserActions>;
