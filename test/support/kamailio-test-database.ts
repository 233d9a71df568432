import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/**
 * Test support: a fresh PostgreSQL database holding deploy/kamailio/schema.sql, for the driver tests and the
 * end-to-end suites with a real Kamailio. Needs the PostgreSQL at 127.0.0.1:5432 (trust auth, user
 * postgres) or `KAMAILIO_TEST_ADMIN_URL`; when it is unreachable this rejects, so the tests fail, never skip.
 */
export interface KamailioTestDatabase {
  name: string;
  databaseUrl: string;
  /** Drops the database, closing any session still on it (a Kamailio that was not stopped, for instance). */
  drop(): Promise<void>;
}

const SCHEMA_FILE = new URL('../../deploy/kamailio/schema.sql', import.meta.url);

export const kamailioTestAdminUrl = (): string =>
  process.env.KAMAILIO_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const where = new URL(connectionString);
    throw new Error(
      `PostgreSQL unreachable at ${where.hostname}:${where.port || 5432} (needed by the Kamailio tests): ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function createKamailioTestDatabase(): Promise<KamailioTestDatabase> {
  const adminUrl = kamailioTestAdminUrl();
  const name = `kam_${randomBytes(6).toString('hex')}`;
  const databaseUrl = withDatabase(adminUrl, name);
  const schema = await readFile(SCHEMA_FILE, 'utf8');

  await withClient(adminUrl, (client) => client.query(`create database ${name}`));
  try {
    await withClient(databaseUrl, (client) => client.query(schema));
  } catch (error) {
    await withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    throw error;
  }

  let dropped = false;
  return {
    name,
    databaseUrl,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * For one test file: a fresh Kamailio database and a client on it, made before the file's first test and
 * dropped after its last. Read `database` and `sql` inside tests (they exist once beforeAll ran).
 */
export function kamailioTestDatabaseForThisFile(): { readonly database: KamailioTestDatabase; readonly sql: pg.Client } {
  const file = {} as { database: KamailioTestDatabase; sql: pg.Client };
  beforeAll(async () => {
    file.database = await createKamailioTestDatabase();
    file.sql = new pg.Client({ connectionString: file.database.databaseUrl });
    await file.sql.connect();
  });
  afterAll(async () => {
    await file.sql?.end();
    await file.database?.drop();
  });
  return {
    get database() {
      return file.database;
    },
    get sql() {
      return file.sql;
    },
  };
}
