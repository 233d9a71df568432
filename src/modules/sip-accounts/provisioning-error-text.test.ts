import { describe, expect, it } from 'vitest';
import { describeProvisioningError } from './provisioning-error-text.ts';

describe('describeProvisioningError', () => {
  it('tells users what happened without the internal details of a connection failure', () => {
    const text = describeProvisioningError('unavailable: connect ECONNREFUSED 10.1.2.3:443');
    expect(text).toBe('The phone system cannot be reached right now.');
  });

  it('passes on the PBX\'s own words when it refuses the request', () => {
    expect(describeProvisioningError('rejected: Can not add extension beyond the extensions license limit')).toBe(
      'The phone system refused the request: Can not add extension beyond the extensions license limit',
    );
  });

  it('answers null when nothing failed, and a generic text for an unknown kind', () => {
    expect(describeProvisioningError(null)).toBeNull();
    expect(describeProvisioningError('internal error')).toBe('Setting up the extension failed.');
  });
});
