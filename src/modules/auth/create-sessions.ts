import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import type { AccessTokens } from './access-tokens.ts';
import { createSessionCache } from './session-cache.ts';
import { createSessionsRepository } from './sessions.repository.ts';
import { createSessionUseCases } from './sessions.usecases.ts';

/** Sessions as the composition root needs them: the use cases, and the started cache the bearer check asks. */
export async function createSessions({ database, tokens, lifetimeDays, logger }: {
  database: DatabaseHandle;
  tokens: Pick<AccessTokens, 'issue'>;
  lifetimeDays: number;
  logger: Logger;
}) {
  const cache = createSessionCache({ database, findLive: createSessionsRepository({ db: database.db }).findLive, logger });
  await cache.start();
  return { cache, useCases: createSessionUseCases({ db: database.db, tokens, cache, lifetimeDays, logger }) };
}
