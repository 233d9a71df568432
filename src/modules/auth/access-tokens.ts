import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';

const ALGORITHM = 'HS256';
/** How far a token's clocks may disagree with ours: expiry, and an issue time in the future. */
const CLOCK_TOLERANCE_MS = 5_000;
// Every token we issue names a user by id; anything else is not ours, even when correctly signed.
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * HS256 access tokens. Verification pins the algorithm (no `alg: none`, no RS/HS confusion) and requires
 * every claim. fast-jwt verifies synchronously with node's crypto and caches verified tokens, which keeps
 * authentication a small part of every request (jose's WebCrypto path cost ~15 % of GET /sip/credentials).
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
    // A cached token is still checked for expiry on every use.
    cache: 10_000,
  });
  return {
    async issue(userId: string): Promise<string> {
      return sign({ sub: userId, jti: randomUUID() });
    },

    /** The user id of a valid token, or undefined for any invalid, tampered or expired one. */
    async verify(token: string): Promise<string | undefined> {
      try {
        const payload = verifier(token) as { sub?: unknown; iat?: unknown };
        // fast-jwt checks `iat` only against a maximum age: a token issued "in the future" is refused here.
        if (typeof payload.iat !== 'number' || payload.iat * 1000 > Date.now() + CLOCK_TOLERANCE_MS) return undefined;
        return typeof payload.sub === 'string' && USER_ID.test(payload.sub) ? payload.sub : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
