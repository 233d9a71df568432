import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';

/** OWASP Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_PARAMETERS = { algorithm: 2 /* Algorithm.Argon2id, a const enum that cannot be imported under verbatimModuleSyntax */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * argon2id hashing off the event loop (the native addon runs on libuv's thread pool), with at most
 * `concurrency` hashes at once: a burst of logins queues instead of exhausting the pool, which would
 * stall file and DNS work that shares it.
 */
export function createPasswordHasher({ concurrency }: { concurrency: number }) {
  const limit = pLimit(concurrency);
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password: string) => limit(() => hash(password, ARGON2_PARAMETERS)),
    verify: (passwordHash: string, password: string) => limit(() => verify(passwordHash, password).catch(() => false)),
    /** Spends the same time as a real check, so an unknown email cannot be told apart by timing. */
    async verifyAgainstDummy(password: string): Promise<false> {
      dummyHash ??= hash('dummy password for unknown accounts', ARGON2_PARAMETERS);
      await limit(async () => verify(await dummyHash!, password));
      return false;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
