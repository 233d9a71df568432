import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { generateToken, sha256Hex } from '../../shared/crypto.ts';
import { emailTokens, type EmailTokenPurpose } from './email-tokens.table.ts';

/** 32 random bytes (256 bits, 43 base64url characters): far beyond the 128 bits a guess would need. */
const TOKEN_BYTES = 32;
/** Longer than any token we issue: anything longer is refused before it is hashed or looked up. */
export const EMAIL_TOKEN_MAX_LENGTH = 200;

const stillUsable = (purpose: EmailTokenPurpose, tokenHash: string) =>
  and(eq(emailTokens.tokenHash, tokenHash), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, sql`now()`));

export function createEmailTokensRepository({ db }: { db: Queryable }) {
  return {
    /**
     * A new token for `userId`; only its hash is stored. `supersede` ends the user's earlier unused tokens of
     * the purpose first (a newer reset link makes older ones useless). Returns the token, to mail.
     */
    async issue({ userId, purpose, ttlSeconds, supersede = false }: { userId: string; purpose: EmailTokenPurpose; ttlSeconds: number; supersede?: boolean }): Promise<string> {
      if (supersede) {
        await db
          .update(emailTokens)
          .set({ usedAt: sql`now()` })
          .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
      }
      const token = generateToken(TOKEN_BYTES);
      await db.insert(emailTokens).values({
        userId,
        purpose,
        tokenHash: sha256Hex(token),
        expiresAt: sql`now() + ${ttlSeconds} * interval '1 second'`,
      });
      return token;
    },

    /** The user a token still works for, without using it (to show the page the link opens). */
    async findUsable(purpose: EmailTokenPurpose, token: string): Promise<{ userId: string } | undefined> {
      if (token.length > EMAIL_TOKEN_MAX_LENGTH) return undefined;
      const [row] = await db.select({ userId: emailTokens.userId }).from(emailTokens).where(stillUsable(purpose, sha256Hex(token))).limit(1);
      return row;
    },

    /**
     * Uses the token up in one conditional statement: of two requests presenting it at once, exactly one gets
     * the user back (the other's UPDATE waits on the row lock, then finds `used_at` set and matches nothing).
     */
    async consume(purpose: EmailTokenPurpose, token: string): Promise<{ userId: string } | undefined> {
      if (token.length > EMAIL_TOKEN_MAX_LENGTH) return undefined;
      const [row] = await db
        .update(emailTokens)
        .set({ usedAt: sql`now()` })
        .where(stillUsable(purpose, sha256Hex(token)))
        .returning({ userId: emailTokens.userId });
      return row;
    },

    /** Whether the user was sent a token of this purpose in the last `seconds` (a resend is then skipped). */
    async issuedWithin(userId: string, purpose: EmailTokenPurpose, seconds: number): Promise<boolean> {
      const [row] = await db
        .select({ id: emailTokens.id })
        .from(emailTokens)
        .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), gt(emailTokens.createdAt, sql`now() - ${seconds} * interval '1 second'`)))
        .limit(1);
      return row !== undefined;
    },
  };
}

export type EmailTokensRepository = ReturnType<typeof createEmailTokensRepository>;
