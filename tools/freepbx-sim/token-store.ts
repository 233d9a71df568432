import { randomBytes } from 'node:crypto';

export interface SimClient {
  clientId: string;
  clientSecret: string;
  /** Scopes the application may be granted, e.g. `['gql']` or `['gql:core', 'gql:framework']`. */
  allowedScopes: string[];
}

interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

/**
 * Access tokens that really expire. They are opaque random strings rather than FreePBX's RS256 JWTs:
 * a client must treat them as opaque anyway.
 */
export function createTokenStore() {
  const tokens = new Map<string, IssuedToken>();

  return {
    issue(args: { clientId: string; scopes: string[]; lifetimeSeconds: number }): string {
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, { clientId: args.clientId, scopes: args.scopes, expiresAt: Date.now() + args.lifetimeSeconds * 1000 });
      return token;
    },
    /** The scopes of a valid token, or null when it is unknown or expired. */
    verify(token: string): string[] | null {
      const issued = tokens.get(token);
      if (!issued) return null;
      if (issued.expiresAt <= Date.now()) {
        tokens.delete(token);
        return null;
      }
      return issued.scopes;
    },
    expireAll(): void {
      tokens.clear();
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
