import { PbxError, type PbxAccount, type PbxDriver } from '../../src/modules/pbx/pbx-driver.ts';

/**
 * A PBX double whose behaviour a test sets per call: it records every account it was sent, and can be made
 * to fail (retryably or not), hang, or need an apply step. For real-PBX behaviour use the FreePBX simulator.
 */
export function createScriptedPbx(options: { needsApply?: boolean; applyMs?: number } = {}) {
  const live = new Map<string, string>();
  /** The display name each extension was last written with. */
  const names = new Map<string, string>();
  const calls: { method: string; extension: string }[] = [];
  let failure: (() => PbxError | undefined) | undefined;
  let applyFailure: (() => PbxError | undefined) | undefined;
  let gate: Promise<void> | undefined;
  let applies = 0;
  let appliesRunning = 0;
  let maxAppliesRunning = 0;

  async function step(method: string, account: Pick<PbxAccount, 'extension'>) {
    calls.push({ method, extension: account.extension });
    if (gate) await gate;
    const error = failure?.();
    if (error) throw error;
  }

  const driver: PbxDriver = {
    name: 'none',
    needsApply: options.needsApply ?? false,
    async createAccount(account) {
      await step('create', account);
      live.set(account.extension, account.secret);
      names.set(account.extension, account.displayName);
    },
    async updateAccount(account) {
      await step('update', account);
      live.set(account.extension, account.secret);
      names.set(account.extension, account.displayName);
    },
    async deleteAccount(extension) {
      await step('delete', { extension });
      live.delete(extension);
      names.delete(extension);
    },
    async applyChanges() {
      applies += 1;
      appliesRunning += 1;
      maxAppliesRunning = Math.max(maxAppliesRunning, appliesRunning);
      try {
        await new Promise((resolve) => setTimeout(resolve, options.applyMs ?? 30));
        const error = applyFailure?.();
        if (error) throw error;
      } finally {
        appliesRunning -= 1;
      }
    },
    async checkHealth() {
      return { ok: true, detail: 'scripted' };
    },
    async close() {},
  };

  return {
    driver,
    live,
    names,
    calls,
    get applies() {
      return applies;
    },
    get maxAppliesRunning() {
      return maxAppliesRunning;
    },
    /** Every PBX call fails while `failure` returns an error. */
    failWith(next: (() => PbxError | undefined) | undefined) {
      failure = next;
    },
    /** Every Apply Config fails (after its usual time) while `next` returns an error. */
    failApplyWith(next: (() => PbxError | undefined) | undefined) {
      applyFailure = next;
    },
    /** PBX calls wait until the returned function is called. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

export const pbxDown = () => new PbxError({ kind: 'unavailable', retryable: true, message: 'connect ECONNREFUSED 127.0.0.1:1' });
export const pbxRefuses = () => new PbxError({ kind: 'rejected', retryable: false, message: 'Can not add extension beyond the extensions license limit' });
export const applyFails = () => new PbxError({ kind: 'apply_failed', retryable: true, message: 'Apply Config ended in state Failed' });
