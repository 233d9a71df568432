import pg from 'pg';

/**
 * LISTEN needs a connection of its own that stays open. When it drops, notifications may be lost: `onReset`
 * lets the caller stop trusting what it derived from them, and the connection is re-opened with backoff.
 */
export async function listenOnPostgres(
  options: pg.PoolConfig,
  { channel, onNotify, onReset, onReady }: { channel: string; onNotify: (payload: string) => void; onReset: () => void; onReady: () => void },
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryDelayMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(options);
    next.on('notification', (message) => message.channel === channel && onNotify(message.payload ?? ''));
    next.on('error', () => {}); // 'end' follows and handles it
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = undefined;
      onReset();
      scheduleReconnect();
    });
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      retryDelayMs = 250;
      onReady();
    } catch {
      if (client === next) client = undefined;
      await next.end().catch(() => {});
      onReset();
      scheduleReconnect();
    }
  };
  const scheduleReconnect = () => {
    if (stopped) return;
    retryTimer = setTimeout(() => void connect(), retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 10_000);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await client?.end().catch(() => {});
  };
}
