import type { Database } from '../../db/database.ts';
import type { Locale } from '../../shared/locale.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { createUsersRepository } from '../users/users.repository.ts';

/**
 * PATCH /auth/me. A new display name is stored and, in the same transaction, an update job pushes it to the
 * PBX (FreePBX: the extension's name, which is its caller ID name; Kamailio keeps no name). Credentials,
 * formats and provisioning links read the name from the user row, so the next ones carry it.
 */
export function createUpdateProfile({ db, sipAccounts, kickProvisioning }: {
  db: Database;
  sipAccounts: Pick<SipAccountUseCases, 'getAccountState' | 'pushProfile'>;
  kickProvisioning: () => void;
}) {
  return async function updateProfile({ userId, displayName, locale }: { userId: string; displayName?: string; locale?: Locale }) {
    // Refuses a token of a user who is gone or leaving, like every bearer route.
    const { user } = await sipAccounts.getAccountState(userId);
    const name = displayName?.trim();
    if (name && name !== user.displayName) {
      await db.transaction(async (tx) => {
        await createUsersRepository({ db: tx }).setDisplayName(userId, name);
        await sipAccounts.pushProfile(tx, userId);
      });
      kickProvisioning();
    }
    // The language of the next mails and pages; the PBX knows nothing of it.
    if (locale && locale !== user.locale) await createUsersRepository({ db }).setLocale(userId, locale);
    return sipAccounts.getAccountState(userId);
  };
}
