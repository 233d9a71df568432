import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { encryptSecret } from '../src/shared/crypto.ts';
import { createTestService, registerAndLogin, serviceForThisFile, TEST_ENCRYPTION_KEY, type TestService } from './support/test-service.ts';

// Two instances on one database, as in production: what one changes, the other's cache must not hide.
const file = serviceForThisFile();

const credentials = async (svc: TestService, token: string) =>
  (await svc.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } })).json();

describe('cached credentials', () => {
  it('show another instance\'s secret rotation as soon as it is live', async () => {
    const other = await createTestService({ database: file.database.handle });
    try {
      const { token, register } = await registerAndLogin(file.service.app);
      const before = (await credentials(file.service, token)).password;
      expect(file.service.deps.accountCache?.get(register.json().id)).toBeDefined(); // later reads come from memory
      const rotated = await other.app.inject({ method: 'POST', url: '/sip/credentials/rotate', headers: { authorization: `Bearer ${token}` } });
      expect(rotated.json()).toMatchObject({ status: 'active' });
      const after = (await credentials(other, token)).password;
      expect(after).not.toBe(before);
      await expect.poll(async () => (await credentials(file.service, token)).password, { timeout: 2000, interval: 20 }).toBe(after);
    } finally {
      await other.close();
    }
  });

  it('show a change written to the database by anyone, not only by this service\'s code', async () => {
    const { token, register } = await registerAndLogin(file.service.app);
    await credentials(file.service, token);
    const replaced = encryptSecret(Buffer.from(TEST_ENCRYPTION_KEY, 'hex'), 'ReplacedByAnOperator0123456789ab');
    await file.database.handle.db.execute(
      sql`update sip_accounts set secret_ciphertext = ${replaced} where extension = ${register.json().sip_extension}`,
    );
    await expect.poll(async () => (await credentials(file.service, token)).password, { timeout: 2000, interval: 20 }).toBe('ReplacedByAnOperator0123456789ab');
  });
});
