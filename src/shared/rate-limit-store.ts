import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { lazyRequire } from './lazy-require.ts';

// Loaded only when RATE_LIMIT_REDIS_URL is set.
const ioredis = lazyRequire<typeof import('ioredis')>('ioredis');

/**
 * The Redis connection rate limits are counted in when several instances serve one API: in memory, each
 * instance would allow the full budget on its own. Settings after @fastify/rate-limit's advice: answer fast
 * when Redis is slow or gone (the limiter then lets requests through rather than fail sign-ups and logins).
 */
export function createRateLimitRedis({ url, logger }: { url: string; logger: Logger }): Redis {
  const redis = new (ioredis().Redis)(url, { connectTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  let reported = false;
  redis.on('error', (error: NodeJS.ErrnoException) => {
    if (reported) return;
    reported = true;
    logger.warn({ code: error.code }, 'Rate-limit Redis unreachable: requests are not rate-limited until it is back');
  });
  redis.on('ready', () => (reported = false));
  return redis;
}
