import type { PbxDriver } from '../pbx-driver.ts';

/**
 * No PBX: accounts are allocated and stored by this service only, and are "live" at once.
 * Useful to try the service, and for operators who copy credentials into their PBX themselves.
 */
export function createNoneDriver(): PbxDriver {
  return {
    name: 'none',
    needsApply: false,
    async createAccount() {},
    async updateAccount() {},
    async deleteAccount() {},
    async applyChanges() {},
    // Nothing is pushed anywhere, so there is nothing to list (reconcile reports nothing for this driver).
    async listAccounts() {
      return [];
    },
    async checkHealth() {
      return { ok: true, detail: 'no PBX configured (PBX_DRIVER=none)' };
    },
    async close() {},
  };
}
