import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';

const SIP_SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters from 62 symbols ≈ 190 bits; letters and digits only because some phones choke on symbols. */
export const SIP_SECRET_LENGTH = 32;

export function generateSipSecret(): string {
  let secret = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < SIP_SECRET_LENGTH; i++) secret += SIP_SECRET_ALPHABET[randomInt(SIP_SECRET_ALPHABET.length)];
  return secret;
}

/** An unguessable URL-safe token of `bytes` random bytes. */
export function generateToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

const FORMAT_VERSION = 'v1';

/** AES-256-GCM with a random 96-bit IV; output `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT_VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

export function decryptSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== FORMAT_VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Unrecognised encrypted secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
