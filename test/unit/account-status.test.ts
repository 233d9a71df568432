import { describe, expect, it } from 'vitest';
import { assertAccountLive } from '../../src/modules/sip-accounts/account-status.ts';

const codeFor = (status: 'pending' | 'active' | 'failed' | 'deleting' | undefined) => {
  try {
    assertAccountLive(status ? { status } : undefined);
    return 'live';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('the one "is this account live" rule', () => {
  it('lets only an active account through, with one error code per other state', () => {
    expect(codeFor('active')).toBe('live');
    expect(codeFor('pending')).toBe('sip_account_pending');
    expect(codeFor('failed')).toBe('sip_account_failed');
    expect(codeFor('deleting')).toBe('sip_account_not_found');
    expect(codeFor(undefined)).toBe('sip_account_not_found');
  });

  it('tells a client when to ask again while the account is pending', () => {
    try {
      assertAccountLive({ status: 'pending' });
    } catch (error) {
      expect((error as { headers: Record<string, string> }).headers['retry-after']).toBe('5');
    }
    expect.assertions(1);
  });
});
