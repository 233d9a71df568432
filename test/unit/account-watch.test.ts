import { describe, expect, it } from 'vitest';
import { createAccountWatch } from '../../src/modules/sip-accounts/account-watch.ts';
import type { SipAccountRow } from '../../src/modules/sip-accounts/sip-accounts.table.ts';

const row = (status: SipAccountRow['status']): SipAccountRow => ({
  id: 'a1', userId: 'u1', extension: '1000', secretCiphertext: 'v1.x', nextSecretCiphertext: null, secretVersion: 1, status,
  lastError: null, createdAt: new Date(), updatedAt: new Date(), activatedAt: null, registeredAt: null, registeredUserAgent: null,
});
const live = (account: SipAccountRow) => account.status !== 'pending';

describe('waiting for an account', () => {
  it('answers at once when the account is already settled', async () => {
    const watch = createAccountWatch({ findById: async () => row('active') });
    const started = Date.now();
    expect((await watch.waitFor({ accountId: 'a1', timeoutMs: 5000, settled: live }))?.status).toBe('active');
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('wakes up on an announced change instead of waiting for the next poll', async () => {
    let status: SipAccountRow['status'] = 'pending';
    const watch = createAccountWatch({ findById: async () => row(status) });
    const waiting = watch.waitFor({ accountId: 'a1', timeoutMs: 5000, settled: live });
    await new Promise((resolve) => setTimeout(resolve, 20));
    status = 'active';
    const announcedAt = Date.now();
    watch.announce(['a1']);
    expect((await waiting)?.status).toBe('active');
    expect(Date.now() - announcedAt).toBeLessThan(150); // the poll interval is 250 ms
  });

  it('gives the last state read when the time is up, and rides out a failed read', async () => {
    let reads = 0;
    const watch = createAccountWatch({
      findById: async () => {
        reads += 1;
        if (reads === 2) throw new Error('connection terminated');
        return row('pending');
      },
    });
    expect((await watch.waitFor({ accountId: 'a1', timeoutMs: 600, settled: live }))?.status).toBe('pending');
    expect(reads).toBeGreaterThanOrEqual(3);
  });

  it('says undefined when the account no longer exists', async () => {
    const watch = createAccountWatch({ findById: async () => undefined });
    expect(await watch.waitFor({ accountId: 'a1', timeoutMs: 1000, settled: live })).toBeUndefined();
  });
});
