import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { startSimulator } from '../../tools/freepbx-sim/testing.ts';
import { registerAndLogin } from '../support/test-service.ts';
import { credentials, freepbxForThisFile, startFreepbxService } from './freepbx-service.ts';

const file = freepbxForThisFile();

describe('the welcome mail on FreePBX', () => {
  it('is queued only when the Apply Config has made the extension live, not at sign-up', async () => {
    const slowSim = await startSimulator({ reloadDelayMs: 800 });
    const svc = await startFreepbxService({ database: file.database.handle, sim: slowSim, env: { EXTENSION_RANGE: '1200-1299', PROVISION_WAIT_MS: '100' } });
    try {
      const { register, token, email } = await registerAndLogin(svc.app);
      expect(register.json().provisioning_status).toBe('pending');
      const welcomes = () => queryRows<{ mail_id: string | null }>(svc.deps.database.db, sql`
        select w.mail_id from welcome_mails w join sip_accounts a on a.id = w.sip_account_id join users u on u.id = a.user_id where u.email = ${email}`);
      expect(await welcomes()).toHaveLength(0);

      await expect.poll(async () => (await credentials(svc, token)).statusCode, { timeout: 15_000 }).toBe(200);
      const [welcome] = await welcomes();
      expect(welcome?.mail_id).toBeTruthy();
      const [mail] = await queryRows<{ template: string }>(svc.deps.database.db, sql`select template from outgoing_mails where id = ${welcome!.mail_id}`);
      expect(mail?.template).toBe('welcome');
    } finally {
      await svc.close();
      await slowSim.stop();
    }
  });
});
