import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PbxError, type PbxAccount } from '../../../src/modules/pbx/pbx-driver.ts';
import type { KamailioPasswordStorage } from '../../../src/modules/pbx/kamailio/kamailio-credentials.ts';
import { createKamailioDriver } from '../../../src/modules/pbx/kamailio/kamailio-driver.ts';
import { freePort } from '../../../tools/testing/free-port.ts';
import { kamailioTestDatabaseForThisFile } from '../../support/kamailio-test-database.ts';

const DOMAIN = 'sip.test.local';
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
let extensionCounter = 1000;
/** Every secret written, by extension: the expected hashes are computed from it, and the log must hold none. */
const secretOf = new Map<string, string>();

const file = kamailioTestDatabaseForThisFile();

function newAccount(secret = `S3cret-${Math.random().toString(36).slice(2)}`): PbxAccount {
  extensionCounter += 1;
  return { extension: String(extensionCounter), secret, displayName: 'Ada Lovelace', email: 'ada@example.test' };
}

function driverWith(passwordStorage: KamailioPasswordStorage, databaseUrl = file.database.databaseUrl) {
  return createKamailioDriver({ databaseUrl, domain: DOMAIN, passwordStorage, logger });
}

async function subscriberRows(username: string) {
  const result = await file.sql.query(
    `select password, ha1, ha1b,
            md5(username || ':' || domain || ':' || $2) as expected_ha1,
            md5(username || '@' || domain || ':' || domain || ':' || $2) as expected_ha1b
       from subscriber where username = $1 and domain = $3`,
    [username, secretOf.get(username) ?? '', DOMAIN],
  );
  return result.rows as { password: string; ha1: string; ha1b: string; expected_ha1: string; expected_ha1b: string }[];
}

describe('Kamailio driver against a real PostgreSQL', () => {
  it('needs no apply step: a committed row is live at once', () => {
    const driver = driverWith('both');
    expect(driver.name).toBe('kamailio');
    expect(driver.needsApply).toBe(false);
    return driver.close();
  });

  it.each([
    ['both', true, true],
    ['plain', true, false],
    ['ha1', false, true],
  ] as const)('in %s mode writes the password: %s, the digest hashes: %s', async (storage, plain, hashed) => {
    const driver = driverWith(storage);
    const account = newAccount();
    secretOf.set(account.extension, account.secret);
    await driver.createAccount(account);
    const [row, ...others] = await subscriberRows(account.extension);
    expect(others).toHaveLength(0);
    expect(row?.password).toBe(plain ? account.secret : '');
    expect(row?.ha1).toBe(hashed ? row?.expected_ha1 : '');
    expect(row?.ha1b).toBe(hashed ? row?.expected_ha1b : '');
    await driver.close();
  });

  it('creating an account twice (a retried job) leaves one up-to-date row', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    secretOf.set(account.extension, account.secret);
    await driver.createAccount(account);
    await driver.createAccount(account);
    const rows = await subscriberRows(account.extension);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.ha1).toBe(rows[0]?.expected_ha1);
    await driver.close();
  });

  it('never takes over a subscriber someone else created with our number: extension_taken, row untouched', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    await file.sql.query(`insert into subscriber (username, domain, password, ha1, ha1b) values ($1, $2, 'reception-pw', '', '')`, [account.extension, DOMAIN]);
    const error = await driver.createAccount(account).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PbxError);
    expect(error).toMatchObject({ kind: 'extension_taken', retryable: false });
    expect((await file.sql.query('select password from subscriber where username = $1', [account.extension])).rows).toEqual([{ password: 'reception-pw' }]);
    await driver.close();
  });

  it('an update replaces the secret, and creates the row if it went missing', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    await driver.createAccount(account);
    const rotated = { ...account, secret: 'N3w-secret-after-rotation' };
    secretOf.set(account.extension, rotated.secret);
    await driver.updateAccount(rotated);
    const [row] = await subscriberRows(account.extension);
    expect(row?.password).toBe(rotated.secret);
    expect(row?.ha1).toBe(row?.expected_ha1);

    await file.sql.query('delete from subscriber where username = $1', [account.extension]);
    await driver.updateAccount(rotated);
    expect(await subscriberRows(account.extension)).toHaveLength(1);
    await driver.close();
  });

  it('a delete removes only our domain’s row, and deleting a missing account succeeds', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    await driver.createAccount(account);
    await file.sql.query(`insert into subscriber (username, domain, password) values ($1, 'other.example', 'x')`, [
      account.extension,
    ]);
    await driver.deleteAccount(account.extension);
    await driver.deleteAccount(account.extension);
    const left = await file.sql.query('select domain from subscriber where username = $1', [account.extension]);
    expect(left.rows).toEqual([{ domain: 'other.example' }]);
    await driver.close();
  });

  it('a delete also removes the account’s registrations in location, and no one else’s', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    const neighbour = newAccount();
    await driver.createAccount(account);
    const bind = (username: string, bindingDomain: string | null, ruid: string) =>
      file.sql.query(`insert into location (ruid, username, domain, contact) values ($1, $2, $3, $4)`, [ruid, username, bindingDomain, `sip:${username}@192.0.2.1:5062`]);
    await bind(account.extension, DOMAIN, `r-${account.extension}-1`);
    await bind(account.extension, DOMAIN, `r-${account.extension}-2`);
    await bind(account.extension, 'other.example', `r-${account.extension}-3`);
    await bind(neighbour.extension, DOMAIN, `r-${neighbour.extension}-1`);

    await driver.deleteAccount(account.extension);
    const left = await file.sql.query('select username, domain from location where username in ($1, $2) order by username', [account.extension, neighbour.extension]);
    expect(left.rows).toEqual([
      { username: account.extension, domain: 'other.example' },
      { username: neighbour.extension, domain: DOMAIN },
    ]);
    expect(await subscriberRows(account.extension)).toHaveLength(0);
    await driver.close();
  });

  it('an update with a new secret ends the registrations made with the old one; the same secret again keeps them', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    await driver.createAccount(account);
    const bind = (ruid: string) =>
      file.sql.query(`insert into location (ruid, username, domain, contact) values ($1, $2, $3, $4)`, [ruid, account.extension, DOMAIN, `sip:${account.extension}@192.0.2.1:5062`]);
    const bindings = async () => (await file.sql.query('select ruid from location where username = $1', [account.extension])).rowCount;
    await bind(`r-${account.extension}-same`);
    await driver.updateAccount(account); // a re-push of the same secret (reprovision, reconcile)
    expect(await bindings()).toBe(1);

    await driver.updateAccount({ ...account, secret: `${account.secret}-rotated` });
    expect(await bindings()).toBe(0);
    await driver.close();
  });

  it('an update for a new display name writes only the secret columns: Kamailio keeps no name', async () => {
    const driver = driverWith('both');
    const account = newAccount();
    secretOf.set(account.extension, account.secret);
    await driver.createAccount(account);
    const before = await subscriberRows(account.extension);
    await driver.updateAccount({ ...account, displayName: 'Ada King, Countess of Lovelace' });
    expect(await subscriberRows(account.extension)).toEqual(before);
    await driver.close();
  });

  it('a secret longer than the subscriber column is rejected for good, without echoing it', async () => {
    const driver = driverWith('plain');
    const secret = 'L'.repeat(65);
    const error = await driver.createAccount(newAccount(secret)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PbxError);
    expect(error).toMatchObject({ kind: 'rejected', retryable: false });
    expect((error as Error).message).not.toContain(secret);
    await driver.close();
  });

  it('reports healthy when the subscriber table answers', async () => {
    const driver = driverWith('both');
    await expect(driver.checkHealth()).resolves.toMatchObject({ ok: true });
    await driver.close();
  });

  it('an unreachable database is a retryable "unavailable" error that leaks neither secret nor URL password', async () => {
    const port = await freePort();
    const driver = driverWith('both', `postgres://kamailio:db-P4ss-word@127.0.0.1:${port}/kamailio`);
    const account = newAccount('Unreachable-S3cret');
    const error = await driver.createAccount(account).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PbxError);
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true });
    await expect(driver.deleteAccount(account.extension)).rejects.toMatchObject({ kind: 'unavailable' });
    const health = await driver.checkHealth();
    expect(health.ok).toBe(false);
    for (const text of [(error as Error).message, health.detail]) {
      expect(text).not.toContain('Unreachable-S3cret');
      expect(text).not.toContain('db-P4ss-word');
    }
    await driver.close();
  });

  it('never writes a secret into the log', () => {
    const everything = logLines.join('\n');
    expect(everything).toContain('kamailio subscriber written');
    for (const secret of secretOf.values()) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('db-P4ss-word');
  });
});

describe('Kamailio driver: listing the subscribers of a range', () => {
  it('lists the numbered rows of our domain in the range, comparing the plain password or else the ha1', async () => {
    const driver = driverWith('ha1');
    const plain = driverWith('plain');
    try {
      await plain.createAccount({ extension: '51000', secret: 'plain-secret-51000', displayName: 'A', email: 'a@example.test' });
      await driver.createAccount({ extension: '51001', secret: 'hashed-secret-51001', displayName: 'B', email: 'b@example.test' });
      await file.sql.query(`insert into subscriber (username, domain, password) values ('51002', 'other.domain', 'x'), ('alice', $1, 'x'), ('52000', $1, 'x')`, [DOMAIN]);

      const listed = await driver.listAccounts!({ first: 51000, last: 51999 });

      expect(listed.map((entry) => entry.extension)).toEqual(['51000', '51001']);
      expect(listed.map((entry) => entry.marked)).toEqual([false, false]);
      expect(listed[0]!.hasSecret('plain-secret-51000')).toBe(true);
      expect(listed[0]!.hasSecret('hashed-secret-51001')).toBe(false);
      expect(listed[1]!.hasSecret('hashed-secret-51001')).toBe(true);
      expect(listed[1]!.hasSecret('plain-secret-51000')).toBe(false);
    } finally {
      await Promise.all([driver.close(), plain.close()]);
    }
  });
});
