import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccessTokens } from '../../src/modules/auth/access-tokens.ts';

const options = { secretKey: 'unit-test-jwt-secret-key-that-is-long-enough-0123', issuer: 'voip-onboarding-api', audience: 'voip-onboarding-api', lifetimeMinutes: 1 };
const userId = '6f1c1f5e-3a3b-4a52-9c7e-2d0f3f0a9b11';
const sessionId = '0b4d9a43-8f86-4e5e-8d0c-0f3e8f2a1c77';

afterEach(() => {
  vi.useRealTimers();
});

describe('verified access tokens', () => {
  it('keep expiring when they were verified before: a remembered token is refused once its exp (plus the tolerance) has passed', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T12:00:00Z'), toFake: ['Date'] });
    const tokens = createAccessTokens(options);
    const token = await tokens.issue(userId, sessionId);
    expect(tokens.verifyClaims(token)).toEqual({ userId, sessionId });
    vi.setSystemTime(new Date('2026-12-01T12:01:04Z')); // 64 s: expired 4 s ago, within the 5 s tolerance
    expect(tokens.verifyClaims(token)).toEqual({ userId, sessionId });
    vi.setSystemTime(new Date('2026-12-01T12:01:06Z'));
    expect(tokens.verifyClaims(token)).toBeUndefined();
    expect(tokens.verifyClaims(token)).toBeUndefined();
  });

  it('are remembered by the exact token: a token differing in one character of its signature is refused after the real one was verified', async () => {
    const tokens = createAccessTokens(options);
    const token = await tokens.issue(userId, sessionId);
    expect(tokens.verifyClaims(token)).toEqual({ userId, sessionId });
    const at = token.length - 10; // inside the signature, away from its last character's padding bits
    const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(tokens.verifyClaims(tampered)).toBeUndefined();
    expect(tokens.verifyClaims(token)).toEqual({ userId, sessionId });
  });

  it('are not served to another payload carrying a remembered token\'s signature', async () => {
    const tokens = createAccessTokens(options);
    const token = await tokens.issue(userId, sessionId);
    expect(tokens.verifyClaims(token)).toEqual({ userId, sessionId });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '11111111-2222-4333-8444-555555555555' })).toString('base64url');
    expect(tokens.verifyClaims(`${header}.${forged}.${signature}`)).toBeUndefined();
    expect(tokens.verifyClaims(token)).toEqual({ userId, sessionId });
  });

  it('of another key are refused', async () => {
    const other = createAccessTokens({ ...options, secretKey: 'another-jwt-secret-key-that-is-long-enough-98765' });
    expect(createAccessTokens(options).verifyClaims(await other.issue(userId, sessionId))).toBeUndefined();
  });
});
