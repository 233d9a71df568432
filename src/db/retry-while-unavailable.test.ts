import { describe, expect, it } from 'vitest';
import { retryWhileDatabaseUnavailable } from './retry-while-unavailable.ts';

const lost = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('repeating work while the database is unreachable', () => {
  it('runs the work again after a lost connection until it succeeds', async () => {
    let calls = 0;
    const result = await retryWhileDatabaseUnavailable(async () => {
      calls += 1;
      if (calls < 3) throw lost();
      return 'recorded';
    }, { keepTrying: () => true, maxDelayMs: 10 });
    expect({ result, calls }).toEqual({ result: 'recorded', calls: 3 });
  });

  it('throws any other failure at once, and a lost connection once told to stop trying', async () => {
    let calls = 0;
    const other = retryWhileDatabaseUnavailable(async () => {
      calls += 1;
      throw Object.assign(new Error('duplicate key'), { code: '23505' });
    }, { keepTrying: () => true });
    await expect(other).rejects.toThrow('duplicate key');
    expect(calls).toBe(1);
    await expect(retryWhileDatabaseUnavailable(async () => Promise.reject(lost()), { keepTrying: () => false })).rejects.toMatchObject({ code: '57P01' });
  });
});
