import pg from 'pg';

/**
 * Holds the session-level advisory lock (`classId`, hashtext(`name`)) on a connection of its own for as long
 * as the caller wants. The server frees it the moment its session ends, so a process killed with SIGKILL (or
 * a lost machine, once TCP gives up) stops holding it at once: others read "no such lock in pg_locks" as "that
 * holder is gone". When the connection drops while the holder lives, it is re-opened with backoff and the
 * lock taken again; until then others may take the holder for dead, which the fenced job updates tolerate.
 * Resolves once the lock is held; rejects when it cannot be taken now (the caller retries).
 */
export async function holdSessionLockOnPostgres(options: pg.PoolConfig, { classId, name }: { classId: number; name: string }): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryDelayMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...options, application_name: 'voip-onboarding-api liveness' });
    next.on('error', () => {}); // 'end' follows and handles it
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = undefined;
      scheduleReconnect();
    });
    client = next;
    try {
      await next.connect();
      const { rows } = await next.query<{ held: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as held', [classId, name]);
      // Taken by another session only if two names hash alike (one in 4 billion): that holder then looks
      // alive while it is, and a lease still frees its work when it dies.
      if (!rows[0]?.held) throw new Error('advisory lock held by another session');
      retryDelayMs = 250;
    } catch (error) {
      if (client === next) client = undefined;
      await next.end().catch(() => {});
      throw error;
    }
  };
  const scheduleReconnect = () => {
    if (stopped) return;
    retryTimer = setTimeout(() => void connect().catch(scheduleReconnect), retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 10_000);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await client?.end().catch(() => {}); // ending the session frees the lock
  };
}
