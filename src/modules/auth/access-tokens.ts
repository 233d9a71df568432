import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { LRUCache } from 'lru-cache';

const ALGORITHM = 'HS256';
/** How far a token's clocks may disagree with ours: expiry, and an issue time in the future. */
const CLOCK_TOLERANCE_MS = 5_000;
/** Verified tokens remembered (each ~0.5 KB with its key), and for how long at most: a token is re-verified after that. */
const VERIFIED_MAX = 10_000;
const VERIFIED_TTL_MS = 600_000;
// Every token we issue names a user (and, since sessions, a session) by id; anything else is not ours, even when correctly signed.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a valid access token says: its user, and its session (undefined for a token issued before sessions existed). */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string | undefined;
}

/**
 * HS256 access tokens. Verification pins the algorithm (no `alg: none`, no RS/HS confusion) and requires
 * every claim. fast-jwt verifies synchronously with node's crypto (jose's WebCrypto path cost ~15 % of GET
 * /sip/credentials). Verified tokens are remembered here (the very same token, compared whole) and checked for
 * expiry on every use: fast-jwt's own cache keys each lookup by a SHA-256 of the token, which cost nearly as
 * much as verifying it (~5 µs per request, measured with bench/cpu-profile.ts).
 */
export function createAccessTokens({ secretKey, issuer, audience, lifetimeMinutes }: {
  secretKey: string;
  issuer: string;
  audience: string;
  lifetimeMinutes: number;
}) {
  const sign = createSigner({
    key: secretKey,
    algorithm: ALGORITHM,
    iss: issuer,
    aud: audience,
    expiresIn: lifetimeMinutes * 60_000,
  });
  const verifier = createVerifier({
    key: secretKey,
    algorithms: [ALGORITHM],
    allowedIss: issuer,
    allowedAud: audience,
    requiredClaims: ['sub', 'exp', 'iat', 'jti', 'iss', 'aud'],
    clockTolerance: CLOCK_TOLERANCE_MS,
    cache: false,
  });
  /**
   * Valid tokens' claims, and until when each may be served without verifying again (expiry, tolerance
   * included), found by the token's signature (hashing the whole token as a key cost ~0.5 µs) and kept with
   * the whole token, which must be equal: no other token can share an entry.
   */
  const verified = new LRUCache<string, { token: string; claims: AccessTokenClaims; notBefore: number; notAfter: number }>({ max: VERIFIED_MAX });
  const signatureOf = (token: string) => token.slice(token.lastIndexOf('.') + 1);
  /**
   * The claims of a valid token, or undefined for any invalid, tampered or expired one. A token without `sid`
   * is valid (issued before sessions existed, it dies within ACCESS_TOKEN_EXPIRE_MINUTES anyway); one whose
   * `sid` is not a session id is not ours.
   */
  function verifyClaims(token: string): AccessTokenClaims | undefined {
    const now = Date.now();
    const signature = signatureOf(token);
    const known = verified.get(signature);
    if (known?.token === token) {
      if (now >= known.notBefore && now <= known.notAfter) return known.claims;
      verified.delete(signature);
    }
    try {
      const payload = verifier(token) as { sub?: unknown; iat?: unknown; sid?: unknown; exp?: unknown; nbf?: unknown };
      // fast-jwt checks `iat` only against a maximum age: a token issued "in the future" is refused here.
      if (typeof payload.iat !== 'number' || payload.iat * 1000 > now + CLOCK_TOLERANCE_MS) return undefined;
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) return undefined;
      if (payload.sid !== undefined && (typeof payload.sid !== 'string' || !UUID.test(payload.sid))) return undefined;
      const claims = { userId: payload.sub, sessionId: payload.sid };
      // The bounds fast-jwt just checked, as it applies them (exp is required, so always a number here).
      const notAfter = Math.min(now + VERIFIED_TTL_MS, (payload.exp as number) * 1000 + CLOCK_TOLERANCE_MS);
      const notBefore = typeof payload.nbf === 'number' ? payload.nbf * 1000 - CLOCK_TOLERANCE_MS : 0;
      verified.set(signature, { token, claims, notBefore, notAfter });
      return claims;
    } catch {
      return undefined;
    }
  }

  return {
    /** `sid` names the session the token belongs to; every token issued since sessions exist has one. */
    async issue(userId: string, sessionId?: string): Promise<string> {
      return sign({ sub: userId, jti: randomUUID(), ...(sessionId ? { sid: sessionId } : {}) });
    },

    /** The user id of a valid token, or undefined for any invalid, tampered or expired one. */
    async verify(token: string): Promise<string | undefined> {
      return verifyClaims(token)?.userId;
    },

    verifyClaims,
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
