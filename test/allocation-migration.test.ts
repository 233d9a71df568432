import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { queryRows, type Database } from '../src/db/database.ts';
import { migratePgliteClient, migrationsFolder } from '../src/db/migrate.ts';
import { createSipAccountsRepository } from '../src/modules/sip-accounts/sip-accounts.repository.ts';

// A database made before the allocation change (migrations up to 0004), with accounts in it, then upgraded.
const BEFORE_ALLOCATION_CHANGE = 5;
const folders: string[] = [];
afterAll(() => folders.forEach((folder) => fs.rmSync(folder, { recursive: true, force: true })));

function migrationsBeforeTheChange(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-before-'));
  folders.push(folder);
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, BEFORE_ALLOCATION_CHANGE);
  fs.mkdirSync(path.join(folder, 'meta'));
  fs.writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const { tag } of journal.entries) fs.copyFileSync(path.join(migrationsFolder, `${tag}.sql`), path.join(folder, `${tag}.sql`));
  return folder;
}

describe('upgrading a database that already has accounts', () => {
  it('indexes the existing numbers and allocates after them, skipping reservations, "0"-prefixed text blocking nothing', async () => {
    const client = await PGlite.create();
    try {
      await migrate(drizzle(client), { migrationsFolder: migrationsBeforeTheChange() });
      const db = drizzle(client) as unknown as Database;
      for (const extension of ['1000', '1001', '1002', '1003', '1004', '01007']) {
        const userId = randomUUID();
        await db.execute(sql`insert into users (id, email, password_hash) values (${userId}, ${`${userId}@example.com`}, 'x')`);
        await db.execute(sql`insert into sip_accounts (user_id, extension, secret_ciphertext) values (${userId}, ${extension}, 'sealed')`);
      }
      await db.execute(sql`insert into reserved_extensions (extension, reason) values ('1005', 'kept back'), ('1006', 'kept back')`);

      await migratePgliteClient(client);

      const allocate = () => db.transaction(async (tx) => {
        const repository = createSipAccountsRepository({ db: tx });
        const extension = await repository.allocateExtension({ first: 1000, last: 1999 });
        const userId = randomUUID();
        await tx.execute(sql`insert into users (id, email, password_hash) values (${userId}, ${`${userId}@example.com`}, 'x')`);
        await repository.insert({ userId, extension: extension!, secretCiphertext: 'sealed' });
        return extension;
      });
      expect([await allocate(), await allocate()]).toEqual(['1007', '1008']);
      await db.execute(sql`set enable_seqscan = off`);
      const plan = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain select 1 from sip_accounts
        where (case when extension ~ '^[1-9][0-9]{0,17}$' then extension::bigint end) = 1003`);
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('sip_accounts_extension_number_idx');
    } finally {
      await client.close();
    }
  });
});
