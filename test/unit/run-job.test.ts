import { describe, expect, it } from 'vitest';
import { PbxError, type PbxAccount } from '../../src/modules/pbx/pbx-driver.ts';
import { runJob } from '../../src/modules/provisioning-jobs/run-job.ts';
import type { JobRow } from '../../src/modules/provisioning-jobs/jobs.table.ts';
import { createScriptedPbx } from '../support/pbx-doubles.ts';

const job = (fields: Partial<JobRow>): JobRow => ({
  id: 'job-1', sipAccountId: 'account-1', extension: '1000', kind: 'create', state: 'running', secretVersion: 1, attempts: 1,
  runAt: new Date(), lockedUntil: null, lockedBy: 'worker', pbxChangedAt: null, lastError: null, createdAt: new Date(), updatedAt: new Date(),
  ...fields,
});
const alice: PbxAccount = { extension: '1000', secret: 'S3cretS3cretS3cretS3cretS3cret00', displayName: 'Alice', email: 'alice@example.com' };
const accounts = (account: PbxAccount | undefined) => ({ accountForJob: async () => account });

describe('one job against the PBX', () => {
  it('creates the account the port hands over, live at once on a PBX without an apply step', async () => {
    const pbx = createScriptedPbx();
    expect(await runJob({ job: job({}), driver: pbx.driver, accounts: accounts(alice) })).toBe('live');
    expect(pbx.live.get('1000')).toBe(alice.secret);
  });

  it('waits for the Apply Config on a PBX that needs one', async () => {
    const pbx = createScriptedPbx({ needsApply: true });
    expect(await runJob({ job: job({ kind: 'update' }), driver: pbx.driver, accounts: accounts(alice) })).toBe('awaiting_apply');
    expect(pbx.calls).toEqual([{ method: 'update', extension: '1000' }]);
  });

  it('removes the extension named on a delete job, even when the account is gone', async () => {
    const pbx = createScriptedPbx();
    expect(await runJob({ job: job({ kind: 'delete', sipAccountId: null, extension: '1042' }), driver: pbx.driver, accounts: accounts(undefined) })).toBe('live');
    expect(pbx.calls).toEqual([{ method: 'delete', extension: '1042' }]);
  });

  it('counts a removal done on a PBX that needs Apply Config only after the next one', async () => {
    const pbx = createScriptedPbx({ needsApply: true });
    expect(await runJob({ job: job({ kind: 'delete', extension: '1042' }), driver: pbx.driver, accounts: accounts(alice) })).toBe('awaiting_apply');
    expect(pbx.calls).toEqual([{ method: 'delete', extension: '1042' }]);
  });

  it('calls no PBX for an account deleted since the job was queued', async () => {
    const pbx = createScriptedPbx();
    expect(await runJob({ job: job({}), driver: pbx.driver, accounts: accounts(undefined) })).toBe('live');
    expect(pbx.calls).toEqual([]);
  });

  it('reports a number taken by someone else on create, and passes every other failure on', async () => {
    const pbx = createScriptedPbx();
    const taken = () => new PbxError({ kind: 'extension_taken', retryable: false, message: 'This device id is already in use' });
    pbx.failWith(taken);
    expect(await runJob({ job: job({}), driver: pbx.driver, accounts: accounts(alice) })).toBe('extension_taken');
    await expect(runJob({ job: job({ kind: 'update' }), driver: pbx.driver, accounts: accounts(alice) })).rejects.toMatchObject({ kind: 'extension_taken' });
  });
});
