import { describe, expect, it } from 'vitest';
import { PbxError } from '../pbx-driver.ts';
import { toPbxError } from './kamailio.errors.ts';

const pgError = (code: string, message: string, detail?: string) => Object.assign(new Error(message), { code, detail });

describe('mapping PostgreSQL failures to PbxError', () => {
  it.each([
    ['08006', 'unavailable', true],
    ['57P01', 'unavailable', true],
    ['40P01', 'unavailable', true],
    ['3D000', 'unavailable', true],
    ['42P01', 'unavailable', true],
    ['28P01', 'auth', true],
    ['23505', 'rejected', false],
    ['22001', 'rejected', false],
  ] as const)('SQLSTATE %s is %s (retryable: %s)', (code, kind, retryable) => {
    expect(toPbxError('create', pgError(code, 'boom'))).toMatchObject({ kind, retryable });
  });

  it('a refused connection is a retryable "unavailable"', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toPbxError('create', refused)).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('keeps neither the detail (which may quote the row and its secret) nor the error as cause', () => {
    const error = toPbxError('create', pgError('23514', 'check failed', 'Failing row contains (1001, Secr3t-Value)'));
    expect(error.message).not.toContain('Secr3t-Value');
    expect(error.cause).toBeUndefined();
  });

  it('passes a PbxError through unchanged', () => {
    const original = new PbxError({ kind: 'rejected', message: 'x', retryable: false });
    expect(toPbxError('create', original)).toBe(original);
  });
});
