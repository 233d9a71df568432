import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateSipSecret, SIP_SECRET_LENGTH } from './crypto.ts';

describe('SIP secrets', () => {
  it('are letters and digits only, with at least 128 bits of entropy', () => {
    const secret = generateSipSecret();
    expect(secret).toMatch(/^[A-Za-z0-9]+$/);
    expect(SIP_SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(128);
    expect(secret).toHaveLength(SIP_SECRET_LENGTH);
  });

  it('do not repeat and use the whole alphabet', () => {
    const secrets = Array.from({ length: 500 }, generateSipSecret);
    expect(new Set(secrets).size).toBe(500);
    expect(new Set(secrets.join('')).size).toBe(62);
  });
});

describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);

  it('round-trips and never contains the clear text', () => {
    const sealed = encryptSecret(key, 'Secret123');
    expect(sealed).not.toContain('Secret123');
    expect(decryptSecret(key, sealed)).toBe('Secret123');
    expect(encryptSecret(key, 'Secret123')).not.toBe(sealed); // a fresh IV each time
  });

  it('refuses a tampered ciphertext or the wrong key', () => {
    const sealed = encryptSecret(key, 'Secret123');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => decryptSecret(key, [...parts.slice(0, 3), flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => decryptSecret(randomBytes(32), sealed)).toThrow();
  });
});
