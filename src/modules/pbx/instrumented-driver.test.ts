import { describe, expect, it } from 'vitest';
import { instrumentPbxDriver, type PbxMetrics } from './instrumented-driver.ts';
import { PbxError, type PbxDriver } from './pbx-driver.ts';

function recorder() {
  const events: string[] = [];
  const metrics: PbxMetrics = {
    callFailed: (operation, kind) => events.push(`${operation} ${kind}`),
    applyFinished: (outcome, seconds) => events.push(`apply ${outcome} ${seconds >= 0.02 ? 'timed' : 'too fast'}`),
  };
  return { events, metrics };
}

const driver = (overrides: Partial<PbxDriver>): PbxDriver => ({
  name: 'freepbx',
  needsApply: true,
  createAccount: async () => {},
  updateAccount: async () => {},
  deleteAccount: async () => {},
  applyChanges: async () => {},
  checkHealth: async () => ({ ok: true, detail: 'ok' }),
  close: async () => {},
  ...overrides,
});

describe('instrumentPbxDriver', () => {
  it('counts failed calls by operation and kind (internal for a non-PbxError) and passes the error on', async () => {
    const { events, metrics } = recorder();
    const unavailable = new PbxError({ kind: 'unavailable', retryable: true, message: 'down' });
    const wrapped = instrumentPbxDriver(driver({ updateAccount: () => Promise.reject(unavailable), deleteAccount: () => Promise.reject(new TypeError('bug')) }), metrics);
    await wrapped.createAccount({ extension: '1000', secret: 's', displayName: 'A', email: 'a@example.com' });
    await expect(wrapped.updateAccount({ extension: '1000', secret: 's', displayName: 'A', email: 'a@example.com' })).rejects.toBe(unavailable);
    await expect(wrapped.deleteAccount('1000')).rejects.toThrow(TypeError);
    expect(events).toEqual(['update unavailable', 'delete internal']);
    expect({ name: wrapped.name, needsApply: wrapped.needsApply }).toEqual({ name: 'freepbx', needsApply: true });
  });

  it('times every Apply Config and counts a failed one by kind', async () => {
    const { events, metrics } = recorder();
    let fail = false;
    const wrapped = instrumentPbxDriver(driver({
      applyChanges: async () => {
        await new Promise((resolve) => setTimeout(resolve, 25));
        if (fail) throw new PbxError({ kind: 'apply_timeout', retryable: true, message: 'still Processing' });
      },
    }), metrics);
    await wrapped.applyChanges();
    fail = true;
    await expect(wrapped.applyChanges()).rejects.toThrow('still Processing');
    expect(events).toEqual(['apply succeeded timed', 'apply apply_timeout', 'apply failed timed']);
  });

  it('hands the Apply Config hooks to the driver, so the reload reference reaches the lease', async () => {
    const noted: string[] = [];
    const wrapped = instrumentPbxDriver(driver({ applyChanges: async (hooks) => hooks?.started?.('txn-7') }), recorder().metrics);
    await wrapped.applyChanges({ started: async (ref) => void noted.push(ref) });
    expect(noted).toEqual(['txn-7']);
  });

  it('keeps waitForApply (a takeover waits for the reload a dead holder left running), and offers none when the driver has none', async () => {
    const waited: string[] = [];
    const wrapped = instrumentPbxDriver(driver({ waitForApply: async (ref) => void waited.push(ref) }), recorder().metrics);
    await wrapped.waitForApply?.('txn-3');
    expect(waited).toEqual(['txn-3']);
    expect(instrumentPbxDriver(driver({}), recorder().metrics).waitForApply).toBeUndefined();
  });
});
