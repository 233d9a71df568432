import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { createAccessTokens } from './modules/auth/access-tokens.ts';
import { createAuthenticate } from './modules/auth/authenticate.ts';
import { createSessions } from './modules/auth/create-sessions.ts';
import { createLoginThrottle } from './modules/auth/login-throttle.ts';
import { createMemoryCounters, createRedisCounters } from './modules/auth/login-throttle.counters.ts';
import { createPasswordHasher } from './modules/auth/password-hasher.ts';
import { createRateLimitRedis } from './shared/rate-limit-store.ts';

/** The composition root's auth part: hashing, access tokens, sessions and their cache, the bearer check, throttling. */
export async function buildAuth({ config, database, logger }: { config: ResolvedConfig; database: DatabaseHandle; logger: Logger }) {
  const tokens = createAccessTokens({
    secretKey: config.jwtSecretKey,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    lifetimeMinutes: config.accessTokenExpireMinutes,
  });
  const rateLimitRedis = config.rateLimitRedisUrl ? createRateLimitRedis({ url: config.rateLimitRedisUrl, logger }) : undefined;
  // Counted where the rate limits are: in Redis when configured (every instance together), else here.
  const loginThrottle = createLoginThrottle({
    counters: rateLimitRedis ? createRedisCounters(rateLimitRedis) : createMemoryCounters(),
    options: config.loginThrottle,
    logger,
  });
  const { cache: sessionCache, useCases: sessions } = await createSessions({ database, tokens, lifetimeDays: config.refreshTokenExpireDays, logger });
  return {
    hasher: createPasswordHasher({ concurrency: config.passwordHashConcurrency }),
    tokens,
    rateLimitRedis,
    loginThrottle,
    sessionCache,
    /** `sessions.endAll(userId, reason, tx?)` ends every session of a user (reset password, account deletion). */
    sessions,
    authenticate: createAuthenticate({ tokens, sessions: sessionCache }),
    async close(): Promise<void> {
      await sessionCache.stop();
      await rateLimitRedis?.quit().catch(() => rateLimitRedis.disconnect());
    },
  };
}
