import pg from 'pg';
import type { Logger } from 'pino';
import { PbxError, type PbxAccount, type PbxDriver } from '../pbx-driver.ts';
import { subscriberSecretColumns, type KamailioPasswordStorage } from './kamailio-credentials.ts';
import { toPbxError } from './kamailio.errors.ts';
import { listSubscribers } from './kamailio-listing.ts';
import { listRegistrations } from './kamailio-registrations.ts';

export interface KamailioDriverOptions {
  /** PostgreSQL URL of Kamailio's database (the one holding `subscriber`); may hold a password, never logged. */
  databaseUrl: string;
  /** `subscriber.domain`, which is also the digest realm: the To domain softphones register with. */
  domain: string;
  /** Which secret columns are written; must match the `WITH_HA1` choice of kamailio.cfg ('both' suits either). */
  passwordStorage: KamailioPasswordStorage;
  logger: Logger;
}

// Kamailio's subscriber columns are varchar(64); say so plainly rather than surface a PostgreSQL error.
const MAX_COLUMN_LENGTH = 64;

const INSERT_SUBSCRIBER = `
  insert into subscriber (username, domain, password, ha1, ha1b)
  values ($1, $2, $3, $4, $5)
  on conflict (username, domain) do nothing`;

// Answers whether a row already there held another secret (a rotation, an admin's enable): a phone registered
// with the old one must not stay reachable. The CTE reads the row as it was before this statement.
const UPSERT_SUBSCRIBER = `
  with previous as (select password, ha1 from subscriber where username = $1 and domain = $2)
  insert into subscriber (username, domain, password, ha1, ha1b)
  values ($1, $2, $3, $4, $5)
  on conflict (username, domain)
  do update set password = excluded.password, ha1 = excluded.ha1, ha1b = excluded.ha1b
  returning exists (select 1 from previous where previous.password is distinct from $3 or previous.ha1 is distinct from $4) as "secretChanged"`;
// With usrloc db_mode 3, as in the sample config, the table is the registrar's only copy. A domain of NULL is
// usrloc's use_domain=0. A registrar that keeps no location table (42P01) has nothing to remove.
const DELETE_BINDINGS = 'delete from location where username = $1 and (domain = $2 or domain is null)';

/**
 * Kamailio as the PBX: accounts are rows of its `subscriber` table. auth_db reads that table on every
 * REGISTER, so a committed row is live at once (`needsApply` is false) and nothing ever needs a reload.
 * Kamailio keeps no owner per row: on create, an existing row is ours only when it already holds our secret
 * (a retried job); any other is someone's account, reported as `extension_taken` and never overwritten.
 */
export function createKamailioDriver(options: KamailioDriverOptions): PbxDriver {
  const { domain, passwordStorage } = options;
  const logger = options.logger.child({ pbx: 'kamailio' });
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 2,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
    application_name: 'voip-onboarding-api',
  });
  // An idle client losing its connection emits here; unhandled, it would crash the process.
  pool.on('error', (error) => {
    logger.warn({ code: (error as { code?: string }).code }, 'kamailio database connection lost');
  });
  let closed = false;

  function assertValid(operation: string, extension: string, secret?: string): void {
    const problem =
      extension.length === 0 || extension.length > MAX_COLUMN_LENGTH
        ? `extension must be 1 to ${MAX_COLUMN_LENGTH} characters`
        : secret !== undefined && (secret.length === 0 || secret.length > MAX_COLUMN_LENGTH)
          ? `secret must be 1 to ${MAX_COLUMN_LENGTH} characters`
          : undefined;
    if (problem) throw new PbxError({ kind: 'rejected', message: `kamailio: ${operation}: ${problem}`, retryable: false });
  }

  async function upsert(operation: string, account: PbxAccount): Promise<void> {
    assertValid(operation, account.extension, account.secret);
    const columns = subscriberSecretColumns({
      username: account.extension,
      domain,
      secret: account.secret,
      storage: passwordStorage,
    });
    let bindings = 0;
    try {
      const written = await pool.query<{ secretChanged: boolean }>(UPSERT_SUBSCRIBER, [account.extension, domain, columns.password, columns.ha1, columns.ha1b]);
      if (written.rows[0]?.secretChanged) bindings = await deleteBindings(account.extension);
    } catch (error) {
      throw toPbxError(`${operation} of extension ${account.extension}`, error);
    }
    logger.info({ extension: account.extension, domain, passwordStorage, ...(bindings ? { bindings } : {}) }, `kamailio subscriber written (${operation})`);
  }

  const deleteBindings = async (extension: string): Promise<number> =>
    (await pool.query(DELETE_BINDINGS, [extension, domain]).catch((error: { code?: string }) => (error.code === '42P01' ? { rowCount: 0 } : Promise.reject(error)))).rowCount ?? 0;

  async function create(account: PbxAccount): Promise<void> {
    assertValid('create', account.extension, account.secret);
    const columns = subscriberSecretColumns({ username: account.extension, domain, secret: account.secret, storage: passwordStorage });
    try {
      const inserted = await pool.query(INSERT_SUBSCRIBER, [account.extension, domain, columns.password, columns.ha1, columns.ha1b]);
      if (inserted.rowCount === 1) {
        logger.info({ extension: account.extension, domain, passwordStorage }, 'kamailio subscriber written (create)');
        return;
      }
      const existing = await pool.query<{ password: string; ha1: string }>(
        'select password, ha1 from subscriber where username = $1 and domain = $2',
        [account.extension, domain],
      );
      const row = existing.rows[0];
      const ours = row !== undefined && (columns.password !== '' ? row.password === columns.password : row.ha1 === columns.ha1);
      if (!ours) {
        throw new PbxError({ kind: 'extension_taken', retryable: false, message: `kamailio: extension ${account.extension} already has a subscriber in ${domain}` });
      }
    } catch (error) {
      if (error instanceof PbxError) throw error;
      throw toPbxError(`create of extension ${account.extension}`, error);
    }
    await upsert('create', account); // ours from an earlier attempt: bring every column up to date
  }

  return {
    name: 'kamailio',
    needsApply: false,
    createAccount: create,
    updateAccount: (account) => upsert('update', account),
    async deleteAccount(extension) {
      assertValid('delete', extension);
      try {
        const result = await pool.query('delete from subscriber where username = $1 and domain = $2', [extension, domain]);
        // Then its registrations: a phone registered until now stops being reachable at once.
        const bindings = await deleteBindings(extension);
        logger.info({ extension, domain, deleted: result.rowCount ?? 0, bindings }, 'kamailio subscriber deleted');
      } catch (error) {
        throw toPbxError(`delete of extension ${extension}`, error);
      }
    },
    async applyChanges() {},
    listAccounts: (range) => listSubscribers({ pool, domain, range }),
    registrations: (extensions) => listRegistrations({ pool, domain, extensions }),
    async checkHealth() {
      try {
        await pool.query('select 1 from subscriber limit 1');
        return { ok: true, detail: `kamailio subscriber table reachable (domain ${domain})` };
      } catch (error) {
        return { ok: false, detail: toPbxError('health check', error).message };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
