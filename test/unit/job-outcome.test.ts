import { describe, expect, it } from 'vitest';
import { PbxError } from '../../src/modules/pbx/pbx-driver.ts';
import { decideOutcome } from '../../src/modules/provisioning-jobs/job-outcome.ts';

const backoff = { baseMs: 1000, maxMs: 60_000 };
const decide = (args: { attempts?: number; result?: 'live' | 'awaiting_apply' | 'extension_taken'; error?: unknown }) =>
  decideOutcome({ job: { attempts: args.attempts ?? 1 }, result: args.result, error: args.error, maxAttempts: 5, backoff, random: () => 1 });

describe('the outcome of one job run', () => {
  it('finishes a change that is live, and waits for the Apply Config when the PBX needs one', () => {
    expect(decide({ result: 'live' })).toEqual({ action: 'finish' });
    expect(decide({ result: 'awaiting_apply' })).toEqual({ action: 'await_apply' });
  });

  it('moves the account to another number when the PBX says the number is someone else’s', () => {
    expect(decide({ result: 'extension_taken' })).toEqual({ action: 'move_extension' });
  });

  it('retries a retryable PBX failure with a backoff that grows with the attempts', () => {
    const error = new PbxError({ kind: 'unavailable', retryable: true, message: 'connect ECONNREFUSED' });
    expect(decide({ attempts: 1, error })).toEqual({ action: 'retry', delayMs: 1000, error: 'unavailable: connect ECONNREFUSED' });
    expect(decide({ attempts: 3, error })).toMatchObject({ action: 'retry', delayMs: 4000 });
  });

  it('fails for good on a refusal, and on a retryable failure once the attempts are used up', () => {
    const refusal = new PbxError({ kind: 'rejected', retryable: false, message: 'licence limit' });
    expect(decide({ error: refusal })).toEqual({ action: 'fail', error: 'rejected: licence limit' });
    const outage = new PbxError({ kind: 'unavailable', retryable: true, message: 'timeout' });
    expect(decide({ attempts: 5, error: outage })).toEqual({ action: 'fail', error: 'unavailable: timeout' });
  });

  it('never gives up a removal while the PBX is down: a user who left must come off it', () => {
    const outage = new PbxError({ kind: 'unavailable', retryable: true, message: 'timeout' });
    const removal = (attempts: number, error: unknown) =>
      decideOutcome({ job: { attempts, kind: 'delete' }, error, maxAttempts: 5, backoff, random: () => 1 });
    expect(removal(500, outage)).toMatchObject({ action: 'retry', delayMs: 60_000 });
    expect(removal(1, new PbxError({ kind: 'rejected', retryable: false, message: 'refused' }))).toMatchObject({ action: 'fail' });
  });

  it('retries a run cut short by our own database going away after the base delay, with its attempts used up too', () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(decide({ attempts: 1, error: lost })).toEqual({ action: 'retry', delayMs: 1000, error: 'internal error' });
    expect(decide({ attempts: 9, error: new Error('Connection terminated unexpectedly') })).toEqual({ action: 'retry', delayMs: 1000, error: 'internal error' });
  });

  it('keeps the backoff and the attempt limit for a PBX that is unreachable, even when its error wraps a connection failure', () => {
    const kamailioDown = new PbxError({ kind: 'unavailable', retryable: true, message: 'kamailio: create failed: database unreachable (ECONNREFUSED)', cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(decide({ attempts: 3, error: kamailioDown })).toMatchObject({ action: 'retry', delayMs: 4000 });
    expect(decide({ attempts: 5, error: kamailioDown })).toMatchObject({ action: 'fail' });
  });

  it('retries an unexpected error without storing its text (it may hold anything)', () => {
    expect(decide({ error: new Error('password=hunter2 in a stack trace') })).toEqual({ action: 'retry', delayMs: 1000, error: 'internal error' });
  });
});
