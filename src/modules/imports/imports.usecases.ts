import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { createEmailTokensRepository } from '../email-tokens/email-tokens.repository.ts';
import type { Mail } from '../mail/create-mail.ts';
import { provisioningJobs } from '../provisioning-jobs/jobs.table.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { parseCsv } from './csv.ts';
import { toImportRows } from './import-rows.ts';
import { createImportsRepository } from './imports.repository.ts';
import type { userImportRows } from './imports.table.ts';

/** No password hash matches this (it is no argon2 string): an invited user logs in once they chose one. */
export const INVITED_WITHOUT_PASSWORD = '!invited';
/** How long an invitation link works: three days, for people who read their mail on Monday. */
export const INVITATION_TTL_SECONDS = 3 * 86_400;
/** A job of an import that died half-way runs anyway after this (else they are released when the last row is done). */
const HOLD_SECONDS = 600;

type Row = typeof userImportRows.$inferSelect;

/**
 * CSV import of users: every row in its own transaction (a bad row never stops the others), each user with no
 * password and an invitation mail whose link is a password-reset link (the reset flow sets the first
 * password), and their SIP account, whose create job is held until the last row: then all are released at
 * once, so the worker pushes them together and FreePBX needs one Apply Config, not one per batch.
 */
export function createUserImports({ db, sipAccounts, mail, kickProvisioning, publicBaseUrl, extensionRange, encryptionKey, logger }: {
  db: Database;
  sipAccounts: Pick<SipAccountUseCases, 'openAccount'>;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  kickProvisioning: () => void;
  publicBaseUrl: string;
  extensionRange: { first: number; last: number };
  encryptionKey: Buffer;
  logger: Logger;
}) {
  const imports = createImportsRepository({ db });
  const running = new Set<Promise<void>>();

  async function openAccount(tx: Transaction, userId: string, extension: string | null) {
    if (!extension) return sipAccounts.openAccount(tx, userId);
    const account = await createSipAccountsRepository({ db: tx }).insert({ userId, extension, secretCiphertext: encryptSecret(encryptionKey, generateSipSecret()) });
    await tx.insert(provisioningJobs).values({ sipAccountId: account.id, extension, kind: 'create' });
    return account;
  }

  async function createRow(importId: string, row: Row): Promise<void> {
    try {
      const userId = await db.transaction(async (tx) => {
        if (row.extension && (await createImportsRepository({ db: tx }).isReserved(row.extension))) throw new RowRefused(`extension ${row.extension} is reserved`);
        const user = await createUsersRepository({ db: tx }).insert({ email: row.email, passwordHash: INVITED_WITHOUT_PASSWORD, displayName: row.displayName, locale: null });
        const account = await openAccount(tx, user.id, row.extension);
        await createImportsRepository({ db: tx }).holdJobs(account.id, HOLD_SECONDS);
        const token = await createEmailTokensRepository({ db: tx }).issue({ userId: user.id, purpose: 'reset_password', ttlSeconds: INVITATION_TTL_SECONDS });
        await mail.enqueue(tx, {
          to: user.email,
          template: 'invitation',
          locale: null,
          params: { url: `${publicBaseUrl}/auth/reset-password?token=${token}`, validForMinutes: INVITATION_TTL_SECONDS / 60, ...(row.displayName ? { displayName: row.displayName } : {}) },
        });
        return user.id;
      });
      await imports.settleRow(importId, row.line, { status: 'created', userId });
    } catch (error) {
      const reason = error instanceof RowRefused ? error.message
        : isUniqueViolation(error, 'users_email_lower_key') ? 'the email is already registered'
          : isUniqueViolation(error) ? `extension ${row.extension} is already taken`
            : error instanceof Error && 'status' in error ? error.message : 'the row could not be created';
      if (!(error instanceof RowRefused) && !isUniqueViolation(error)) logger.warn({ importId, line: row.line, err: error instanceof Error ? error.name : 'unknown' }, 'Import row failed');
      await imports.settleRow(importId, row.line, { status: 'failed', error: reason });
    }
  }

  async function run(importId: string): Promise<void> {
    const rows = await imports.pendingRows(importId);
    for (const row of rows) await createRow(importId, row);
    await imports.releaseJobs(importId);
    kickProvisioning();
    mail.kick();
    logger.info({ importId, rows: rows.length }, 'User import done; extensions are being provisioned');
  }

  return {
    /** Reads and checks the CSV, stores every row, and creates the users in the background. Returns the import's id. */
    async start({ csv, createdBy }: { csv: string; createdBy: string | null }): Promise<{ id: string; done: Promise<void> }> {
      const rows = toImportRows(parseCsv(csv), extensionRange);
      const id = await imports.create(createdBy, rows);
      logger.info({ importId: id, rows: rows.length, invalid: rows.filter((row) => row.status === 'invalid').length }, 'User import started');
      const done = run(id).catch((error: unknown) => logger.error({ importId: id, err: error instanceof Error ? error.name : 'unknown' }, 'User import stopped'));
      running.add(done);
      void done.finally(() => running.delete(done));
      return { id, done };
    },
    /** Imports under way finish their rows (a stop waits for them). */
    async close(): Promise<void> {
      await Promise.all([...running]);
    },
  };
}

class RowRefused extends Error {}

export type UserImports = ReturnType<typeof createUserImports>;
