import { describe, expect, it } from 'vitest';
import { instrumentPbxDriver, type PbxMetrics } from '../../src/modules/pbx/instrumented-driver.ts';
import { PbxError, type ApplyHooks, type PbxDriver } from '../../src/modules/pbx/pbx-driver.ts';

// A driver that records what reached it, so the wrapper's pass-through is what is checked.
function recordingDriver() {
  const seen: string[] = [];
  const driver: PbxDriver = {
    name: 'freepbx',
    needsApply: true,
    createAccount: async () => {},
    updateAccount: async () => {},
    deleteAccount: async () => {},
    async applyChanges(hooks?: ApplyHooks) {
      await hooks?.started?.('txn-7');
    },
    async waitForApply(ref) {
      seen.push(`waited for ${ref}`);
    },
    checkHealth: async () => ({ ok: true, detail: 'ok' }),
    close: async () => {},
  };
  return { driver, seen };
}

function countingMetrics() {
  const calls: string[] = [];
  const metrics: PbxMetrics = {
    callFailed: (operation, kind) => calls.push(`${operation} failed: ${kind}`),
    applyFinished: (outcome) => calls.push(`apply ${outcome}`),
  };
  return { metrics, calls };
}

describe('the metrics wrapper around a PBX driver', () => {
  it('hands the Apply Config hooks to the driver, so the reload reference reaches the lease', async () => {
    const { driver } = recordingDriver();
    const noted: string[] = [];
    await instrumentPbxDriver(driver, countingMetrics().metrics).applyChanges({ started: async (ref) => void noted.push(ref) });
    expect(noted).toEqual(['txn-7']);
  });

  it('keeps waitForApply, so a takeover waits for a reload a dead process left running', async () => {
    const { driver, seen } = recordingDriver();
    const wrapped = instrumentPbxDriver(driver, countingMetrics().metrics);
    await wrapped.waitForApply?.('txn-3');
    expect(seen).toEqual(['waited for txn-3']);
  });

  it('offers no waitForApply when the driver has none', () => {
    const { driver } = recordingDriver();
    delete driver.waitForApply;
    expect(instrumentPbxDriver(driver, countingMetrics().metrics).waitForApply).toBeUndefined();
  });

  it('counts a failed call by operation and kind and times a failed apply', async () => {
    const { driver } = recordingDriver();
    driver.createAccount = async () => {
      throw new PbxError({ kind: 'unavailable', message: 'down', retryable: true });
    };
    driver.applyChanges = async () => {
      throw new PbxError({ kind: 'apply_timeout', message: 'slow', retryable: true });
    };
    const { metrics, calls } = countingMetrics();
    const wrapped = instrumentPbxDriver(driver, metrics);
    await expect(wrapped.createAccount({ extension: '1', secret: 's', displayName: 'd', email: 'e' })).rejects.toThrow('down');
    await expect(wrapped.applyChanges()).rejects.toThrow('slow');
    expect(calls).toEqual(['create failed: unavailable', 'apply failed: apply_timeout', 'apply failed']);
  });
});
