import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { registerAndLogin } from '../support/test-service.ts';
import { freepbxForThisFile, startFreepbxService, waitUntilAllLive } from './freepbx-service.ts';

// One simulator and one database for the file; each test runs its own service alone, on its own range.
const file = freepbxForThisFile();
const EVENTUALLY = { timeout: 15_000, interval: 50 };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the account’s life on FreePBX', () => {
  it('PATCH /auth/me renames the extension (its caller ID name) through updateExtension and an Apply Config', async () => {
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '1500-1599' } });
    try {
      const user = await registerAndLogin(svc.app, { displayName: 'Eve' });
      const [live] = await waitUntilAllLive(svc, [user]);
      expect(file.sim.state.live().find((entry) => entry.extensionId === live!.username)?.name).toBe('Eve');
      const reloads = file.sim.counters().reloadsExecuted;

      const patch = await svc.app.inject({ method: 'PATCH', url: '/auth/me', headers: bearer(user.token), payload: { display_name: 'Eve Polastri' } });
      expect(patch.statusCode).toBe(200);
      await expect.poll(() => file.sim.state.live().find((entry) => entry.extensionId === live!.username)?.name, EVENTUALLY).toBe('Eve Polastri');
      expect(file.sim.counters().reloadsExecuted).toBeGreaterThan(reloads);
      // The secret on the PBX is still the one the API hands out.
      expect(file.sim.state.liveSecret(live!.username)).toBe(live!.password);
    } finally {
      await svc.close();
    }
  });

  it('DELETE /auth/me runs deleteExtension, then the coalesced Apply Config, and only then erases the user', async () => {
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '1600-1699' } });
    try {
      const user = await registerAndLogin(svc.app);
      const [live] = await waitUntilAllLive(svc, [user]);
      const extension = live!.username;
      const userId = user.register.json<{ id: string }>().id;
      const reloads = file.sim.counters().reloadsStarted;

      const answer = await svc.app.inject({ method: 'DELETE', url: '/auth/me', headers: bearer(user.token), payload: { password: user.password } });
      expect(answer.statusCode).toBe(202);
      await expect
        .poll(async () => (await queryRows<{ n: number }>(svc.deps.database.db, sql`select count(*)::int as n from users where id = ${userId}`))[0]!.n, EVENTUALLY)
        .toBe(0);
      expect(file.sim.state.extensions().some((entry) => entry.extensionId === extension)).toBe(false);
      expect(file.sim.state.liveSecret(extension)).toBeUndefined();
      expect(file.sim.counters().reloadsStarted).toBeGreaterThan(reloads);
      expect(await queryRows(svc.deps.database.db, sql`select state from provisioning_jobs where extension = ${extension} and kind = 'delete'`)).toEqual([{ state: 'done' }]);
    } finally {
      await svc.close();
    }
  });
});
