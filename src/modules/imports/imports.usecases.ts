import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { createPeriodicTask } from '../../shared/periodic-task.ts';
import { createEmailTokensRepository } from '../email-tokens/email-tokens.repository.ts';
import type { Mail } from '../mail/create-mail.ts';
import { provisioningJobs } from '../provisioning-jobs/jobs.table.ts';
import type { WorkerLiveness } from '../../db/worker-liveness.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { parseCsv } from './csv.ts';
import { createImportClaims } from './import-claims.ts';
import { toImportRows } from './import-rows.ts';
import { createImportsRepository } from './imports.repository.ts';
import type { userImportRows } from './imports.table.ts';

/** No password hash matches this (it is no argon2 string): an invited user logs in once they chose one. */
export const INVITED_WITHOUT_PASSWORD = '!invited';
/** How long an invitation link works: three days, for people who read their mail on Monday. */
export const INVITATION_TTL_SECONDS = 3 * 86_400;
/** A job of an import that died half-way runs after this even if no runner resumes it (else released when its last row is done). */
const HOLD_SECONDS = 600;
/** How often a running service looks for imports whose runner died (on PostgreSQL, another instance's). */
const RESUME_INTERVAL_MS = 30_000;

type Row = typeof userImportRows.$inferSelect;

/**
 * CSV import of users: every row in its own transaction (a bad row never stops the others), each user with no
 * password and an invitation mail whose link is a password-reset link (the reset flow sets the first
 * password), and their SIP account, whose create job is held until the last row: then all are released at
 * once, so the worker pushes them together and FreePBX needs one Apply Config, not one per batch.
 */
export function createUserImports({ db, liveness, sipAccounts, mail, kickProvisioning, publicBaseUrl, extensionRange, encryptionKey, logger }: {
  db: Database;
  /** How a runner that died is told from one that runs (worker-liveness.ts). */
  liveness: WorkerLiveness;
  sipAccounts: Pick<SipAccountUseCases, 'openAccount'>;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  kickProvisioning: () => void;
  publicBaseUrl: string;
  extensionRange: { first: number; last: number };
  encryptionKey: Buffer;
  logger: Logger;
}) {
  const imports = createImportsRepository({ db });
  const claims = createImportClaims({ db, liveness });
  const running = new Set<Promise<void>>();
  let stopping = false;
  let resuming: ReturnType<typeof createPeriodicTask> | undefined;

  async function openAccount(tx: Transaction, userId: string, extension: string | null) {
    if (!extension) return sipAccounts.openAccount(tx, userId);
    const account = await createSipAccountsRepository({ db: tx }).insert({ userId, extension, secretCiphertext: encryptSecret(encryptionKey, generateSipSecret()) });
    await tx.insert(provisioningJobs).values({ sipAccountId: account.id, extension, kind: 'create' });
    return account;
  }

  async function createRow(importId: string, row: Row): Promise<void> {
    try {
      await db.transaction(async (tx) => {
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
        // In the same transaction: a process that dies after the commit has settled the row, so a resumed
        // import never creates it twice (nor reports its own user as an email already registered).
        await createImportsRepository({ db: tx }).settleRow(importId, row.line, { status: 'created', userId: user.id });
      });
    } catch (error) {
      const reason = error instanceof RowRefused ? error.message
        : isUniqueViolation(error, 'users_email_lower_key') ? 'the email is already registered'
          : isUniqueViolation(error) ? `extension ${row.extension} is already taken`
            : error instanceof Error && 'status' in error ? error.message : 'the row could not be created';
      if (!(error instanceof RowRefused) && !isUniqueViolation(error)) logger.warn({ importId, line: row.line, err: error instanceof Error ? error.name : 'unknown' }, 'Import row failed');
      await imports.settleRow(importId, row.line, { status: 'failed', error: reason });
    }
  }

  /** Creates the import's rows still pending, then releases its jobs; stops between rows when the process stops. */
  async function run(importId: string): Promise<void> {
    const rows = await imports.pendingRows(importId);
    for (const row of rows) {
      if (stopping) return void logger.info({ importId }, 'User import paused by the stop; the next start resumes it');
      await createRow(importId, row);
      // PGlite answers in the same thread, its promises settling as microtasks: without a turn of the event
      // loop between rows, an import would hold off every HTTP request (and the CLI's progress) to its end.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await imports.releaseJobs(importId);
    kickProvisioning();
    mail.kick();
    logger.info({ importId, rows: rows.length }, 'User import done; extensions are being provisioned');
  }

  function launch(importId: string): Promise<void> {
    const done = run(importId).catch((error: unknown) => logger.error({ importId, err: error instanceof Error ? error.name : 'unknown' }, 'User import stopped'));
    running.add(done);
    void done.finally(() => running.delete(done));
    return done;
  }

  /** Claims the imports whose runner is gone and finishes them (at start-up and every RESUME_INTERVAL_MS). */
  async function resume(): Promise<string[]> {
    if (stopping || !(await claims.anyAbandoned())) return [];
    const ids = await claims.claimAbandoned();
    for (const id of ids) {
      logger.info({ importId: id }, 'Resuming a user import whose runner is gone');
      void launch(id);
    }
    return ids;
  }

  return {
    /** Reads and checks the CSV, stores every row (all or none), and creates the users in the background. */
    async start({ csv, createdBy }: { csv: string; createdBy: string | null }): Promise<{ id: string; done: Promise<void> }> {
      const rows = toImportRows(parseCsv(csv), extensionRange);
      await claims.hold();
      const id = await db.transaction((tx) => createImportsRepository({ db: tx }).create(createdBy, claims.runnerId, rows));
      logger.info({ importId: id, rows: rows.length, invalid: rows.filter((row) => row.status === 'invalid').length }, 'User import started');
      return { id, done: launch(id) };
    },
    resume,
    /** Resumes abandoned imports now and every `intervalMs` (main.ts; another instance's crash is noticed within it). */
    startResuming(intervalMs = RESUME_INTERVAL_MS): void {
      resuming ??= createPeriodicTask({
        run: resume,
        intervalMs,
        onError: (error) => logger.warn({ err: error instanceof Error ? error.message : 'unknown' }, 'Looking for abandoned imports failed; will retry'),
      });
      resuming.start();
    },
    /** Stops at the next row boundary: what is left stays pending, for the next runner to resume. */
    async close(): Promise<void> {
      stopping = true;
      await resuming?.stop();
      await Promise.all([...running]);
      await claims.close();
    },
  };
}

class RowRefused extends Error {}

export type UserImports = ReturnType<typeof createUserImports>;
