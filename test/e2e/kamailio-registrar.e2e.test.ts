import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxAccount, PbxDriver } from '../../src/modules/pbx/pbx-driver.ts';
import { createKamailioDriver } from '../../src/modules/pbx/kamailio/kamailio-driver.ts';
import type { SipCredentials } from '../../src/modules/sip-accounts/sip-credentials.ts';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { registerWithLinphonec } from './support/linphonec.ts';
import { sipRegister } from './support/raw-sip.ts';
import { runSippRegister } from './support/sipp.ts';

const logger = pino({ level: 'silent' });
const newSecret = () => randomBytes(12).toString('base64url');

describe.each(['plain', 'ha1'] as const)('Kamailio registrar checking the %s column, accounts written by the driver', (storage) => {
  let kamailio: RunningKamailio;
  let driver: PbxDriver;
  /** Writes every column: the default, which must suit a Kamailio in either mode. */
  let bothDriver: PbxDriver;
  let nextExtension = 3000;

  beforeAll(async () => {
    kamailio = await startKamailio({ passwordStorage: storage });
    driver = createKamailioDriver({ databaseUrl: kamailio.databaseUrl, domain: kamailio.domain, passwordStorage: storage, logger });
    bothDriver = createKamailioDriver({ databaseUrl: kamailio.databaseUrl, domain: kamailio.domain, passwordStorage: 'both', logger });
  });

  afterAll(async () => {
    await driver?.close();
    await bothDriver?.close();
    await kamailio?.stop();
  });

  async function createAccount(through = driver): Promise<PbxAccount> {
    nextExtension += 1;
    const account = { extension: String(nextExtension), secret: newSecret(), displayName: 'Grace Hopper', email: 'grace@example.test' };
    await through.createAccount(account);
    return account;
  }

  const credentialsOf = (account: PbxAccount, password = account.secret): SipCredentials => ({
    username: account.extension,
    auth_username: account.extension,
    password,
    domain: kamailio.domain,
    port: kamailio.port,
    transport: 'udp',
    display_name: account.displayName,
  });

  /** Registrations written through to the `location` table (usrloc db_mode=1). */
  async function bindingsOf(username: string): Promise<number> {
    const sql = new pg.Client({ connectionString: kamailio.databaseUrl });
    await sql.connect();
    try {
      const result = await sql.query('select 1 from location where username = $1 and domain = $2', [username, kamailio.domain]);
      return result.rowCount ?? 0;
    } finally {
      await sql.end();
    }
  }

  const register = (username: string, password: string) =>
    sipRegister({ host: kamailio.host, port: kamailio.port, username, password, domain: kamailio.domain });

  it('linphonec registers with the credentials the service hands out (200 OK)', async () => {
    const account = await createAccount();
    const result = await registerWithLinphonec({
      credentials: credentialsOf(account),
      proxyHost: kamailio.host,
      proxyPort: kamailio.port,
    });
    expect(result.outcome, result.outcome === 'failed' ? result.logTail : '').toBe('ok');
  });

  it('a wrong password is refused with 403, by linphonec and by a raw client', async () => {
    const account = await createAccount();
    const result = await registerWithLinphonec({
      credentials: credentialsOf(account, `${account.secret}-wrong`),
      proxyHost: kamailio.host,
      proxyPort: kamailio.port,
    });
    expect(result.outcome).toBe('failed');
    expect(result.outcome === 'failed' && result.logTail).toContain('Register refresher [403]');
    expect(await register(account.extension, 'not-the-secret')).toBe(403);
    expect(await register('39999', 'no-such-user')).toBe(403);
  });

  it('sipp registers 50 users, all 200 OK (half written in "both" storage mode)', async () => {
    const users = [];
    for (let index = 0; index < 50; index += 1) {
      const account = await createAccount(index % 2 === 0 ? driver : bothDriver);
      users.push({ username: account.extension, password: account.secret });
    }
    const result = await runSippRegister({ host: kamailio.host, port: kamailio.port, domain: kamailio.domain, users });
    expect(result, result.outputTail).toMatchObject({ successful: 50, failed: 0, exitCode: 0 });
  });

  it('after a secret update the old secret is refused and the new one accepted, at once', async () => {
    const account = await createAccount();
    expect(await register(account.extension, account.secret)).toBe(200);
    expect(await bindingsOf(account.extension)).toBe(1);
    const rotated = { ...account, secret: newSecret() };
    await driver.updateAccount(rotated);
    expect(await register(account.extension, account.secret)).toBe(403);
    expect(await register(account.extension, rotated.secret)).toBe(200);
  });

  it('after a delete the user is refused', async () => {
    const account = await createAccount();
    expect(await register(account.extension, account.secret)).toBe(200);
    await driver.deleteAccount(account.extension);
    expect(await register(account.extension, account.secret)).toBe(403);
  });
});
