import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on its first use, not at start-up: what an idle service never needs (the QR
 * encoder, the common-password list, the mailer, the Redis client when none is configured) stays out of its
 * memory. Each costs a few to ~15 MB of RSS once loaded.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
