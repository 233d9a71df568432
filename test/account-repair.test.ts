import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { repairAccountStates } from '../src/modules/sip-accounts/account-repair.ts';
import { encryptSecret } from '../src/shared/crypto.ts';
import { createScriptedPbx } from './support/pbx-doubles.ts';
import { registerAndLogin, serviceForThisFile, TEST_ENCRYPTION_KEY } from './support/test-service.ts';

// What a crash of a version that ended a job and set its account apart left behind: the job finished, the
// account never told. Each case is written straight into the database, then a worker starts.
const file = serviceForThisFile({
    env: { PROVISION_WAIT_MS: '0', EXTENSION_RANGE: '43000-43999' },
    overrides: { driver: createScriptedPbx().driver },
    startWorker: false,
});

const db = () => file.database.handle.db;
const accountOf = async (email: string) => {
  const [row] = await queryRows<{ id: string; status: string; last_error: string | null; secret_version: number; next: string | null }>(
    db(),
    sql`select a.id, a.status, a.last_error, a.secret_version, a.next_secret_ciphertext as next
        from sip_accounts a join users u on u.id = a.user_id where u.email = ${email}`,
  );
  return row!;
};
const setCreateJob = (accountId: string, state: string, error: string | null = null) =>
  db().execute(sql`update provisioning_jobs set state = ${state}, last_error = ${error} where sip_account_id = ${accountId} and kind = 'create'`);

/** Signs up and leaves the account as a crash left it; returns the user. */
async function leftByACrash(kind: 'created' | 'refused' | 'rotated') {
  const user = await registerAndLogin(file.service.app);
  const { id } = await accountOf(user.email);
  if (kind === 'created') await setCreateJob(id, 'done');
  if (kind === 'refused') await setCreateJob(id, 'failed', 'rejected: FreePBX refused extension (simulated)');
  if (kind === 'rotated') {
    // Live with secret 1; a rotation's update job finished on the PBX, its secret never promoted.
    await setCreateJob(id, 'done');
    await db().execute(sql`update sip_accounts set status = 'active' where id = ${id}`);
    const next = encryptSecret(Buffer.from(TEST_ENCRYPTION_KEY, 'hex'), 'the-rotated-secret-0123456789abc');
    await db().execute(sql`update sip_accounts set next_secret_ciphertext = ${next} where id = ${id}`);
    await db().execute(sql`insert into provisioning_jobs (sip_account_id, extension, kind, state, secret_version)
      select id, extension, 'update', 'done', 2 from sip_accounts where id = ${id}`);
  }
  return user;
}

describe('accounts whose state disagrees with their finished jobs', () => {
  it('are set right by one idempotent pass, safe when several instances run it at once', async () => {
    const created = await leftByACrash('created');
    const refused = await leftByACrash('refused');
    const rotated = await leftByACrash('rotated');
    const waiting = await registerAndLogin(file.service.app); // its job still queued: not a disagreement

    const repair = () => repairAccountStates(db());
    const counts = await Promise.all([repair(), repair()]);
    expect(counts[0]! + counts[1]!).toBe(3);
    expect(await repair()).toBe(0);

    expect(await accountOf(created.email)).toMatchObject({ status: 'active', last_error: null });
    expect(await accountOf(refused.email)).toMatchObject({ status: 'failed', last_error: 'rejected: FreePBX refused extension (simulated)' });
    expect(await accountOf(rotated.email)).toMatchObject({ status: 'active', secret_version: 2, next: null });
    expect(await accountOf(waiting.email)).toMatchObject({ status: 'pending' });
    const creds = await file.service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${rotated.token}` } });
    expect(creds.json()).toMatchObject({ password: 'the-rotated-secret-0123456789abc' });
  });

  it('are repaired when a worker starts, and the count is logged', async () => {
    const created = await leftByACrash('created');
    file.service.deps.worker.start();
    await expect.poll(async () => (await accountOf(created.email)).status, { timeout: 5000 }).toBe('active');
    expect(file.service.logs.text).toMatch(/"accounts":1,"msg":"Set right accounts whose state disagreed with their finished jobs"/);
  });
});

