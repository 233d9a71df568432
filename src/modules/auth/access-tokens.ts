import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ALGORITHM = 'HS256';

/** HS256 access tokens; verification pins the algorithm (no `alg: none`, no RS/HS confusion) and every claim. */
export function createAccessTokens({ secretKey, issuer, audience, lifetimeMinutes }: {
  secretKey: string;
  issuer: string;
  audience: string;
  lifetimeMinutes: number;
}) {
  const key = new TextEncoder().encode(secretKey);
  return {
    async issue(userId: string): Promise<string> {
      return new SignJWT({})
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${lifetimeMinutes}m`)
        .sign(key);
    },

    /** The user id of a valid token, or undefined for any invalid, tampered or expired one. */
    async verify(token: string): Promise<string | undefined> {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer,
          audience,
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
          clockTolerance: 5,
        });
        return payload.sub;
      } catch {
        return undefined;
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
