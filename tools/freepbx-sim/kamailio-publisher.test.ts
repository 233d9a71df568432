import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSubscribers } from './kamailio-publisher.ts';
import { startSimulator } from './testing.ts';
import { addExtension, gql, RELOAD_DELAY_MS, reloadAndWait, token, UPDATE, type Sim } from './test-helpers.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const DOMAIN = 'pbx.example.test';

describe('FreePBX simulator: publishing live extensions to Kamailio', () => {
  let db: PGlite;
  let sim: Sim;
  const rows = async () =>
    (await db.query<{ username: string; domain: string; password: string; ha1: string; ha1b: string }>(
      'SELECT username, domain, password, ha1, ha1b FROM subscriber ORDER BY domain, username',
    )).rows;

  beforeAll(async () => {
    db = new PGlite();
    await db.exec(`CREATE TABLE subscriber (
      id SERIAL PRIMARY KEY, username VARCHAR(64) NOT NULL DEFAULT '', domain VARCHAR(64) NOT NULL DEFAULT '',
      password VARCHAR(64) NOT NULL DEFAULT '', ha1 VARCHAR(128) NOT NULL DEFAULT '', ha1b VARCHAR(128) NOT NULL DEFAULT '',
      CONSTRAINT subscriber_account_idx UNIQUE (username, domain))`);
    await db.query(`INSERT INTO subscriber (username, domain, password) VALUES ('9999', $1, 'stale'), ('1', 'other.test', 'keep')`, [DOMAIN]);
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, publishToKamailio: { db, domain: DOMAIN } });
  });
  afterAll(async () => {
    await sim.stop();
    await db.close();
  });

  it('at start the domain holds nothing: stale rows of an earlier run are gone, other domains kept', async () => {
    expect((await rows()).map((row) => `${row.username}@${row.domain}`)).toEqual(['1@other.test']);
  });

  it('nothing is published before Apply Config; after it the live secret is, with both HA1 hashes', async () => {
    const bearer = await token(sim);
    await addExtension(sim, bearer, '1000');
    await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', name: 'A', extPassword: 'pw-1000', umEnable: false } });
    expect((await rows()).filter((row) => row.domain === DOMAIN)).toEqual([]);
    expect(await reloadAndWait(sim, bearer)).toBe('Executed');
    expect((await rows()).filter((row) => row.domain === DOMAIN)).toEqual([
      { username: '1000', domain: DOMAIN, password: 'pw-1000', ha1: md5(`1000:${DOMAIN}:pw-1000`), ha1b: md5(`1000@${DOMAIN}:${DOMAIN}:pw-1000`) },
    ]);
  });

  it('a deleted extension is removed at the next reload', async () => {
    const bearer = await token(sim);
    await gql(sim, bearer, 'mutation { deleteExtension(input: {extensionId: "1000"}) { status } }');
    await reloadAndWait(sim, bearer);
    expect((await rows()).filter((row) => row.domain === DOMAIN)).toEqual([]);
  });

  it('syncSubscribers updates a changed secret in place', async () => {
    await syncSubscribers(db, DOMAIN, [{ extensionId: '1001', secret: 'a', name: '' }]);
    await syncSubscribers(db, DOMAIN, [{ extensionId: '1001', secret: 'b', name: '' }]);
    const [row] = (await rows()).filter((entry) => entry.domain === DOMAIN);
    expect(row).toMatchObject({ username: '1001', password: 'b', ha1: md5(`1001:${DOMAIN}:b`) });
  });
});
