import pg from 'pg';

/**
 * LISTEN needs a connection of its own that stays open. When it drops, notifications may be lost: `onReset`
 * lets the caller stop trusting what it derived from them, and the connection is re-opened with backoff
 * (250 ms doubling to 5 s, so listening resumes within seconds of a database restart).
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
    // Whichever comes first of a failed connect, an 'error' and an 'end' reports the loss; once per client.
    let lost = false;
    const close = () => Promise.resolve().then(() => next.end()).catch(() => {});
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (client === next) client = undefined;
      void close();
      if (stopped) return;
      onReset();
      scheduleReconnect();
    };
    next.on('notification', (message) => message.channel === channel && onNotify(message.payload ?? ''));
    next.on('error', onLost);
    next.on('end', onLost);
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      if (stopped || lost) return void (await close());
      retryDelayMs = 250;
      onReady();
    } catch {
      onLost();
    }
  };
  const scheduleReconnect = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 5_000);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await client?.end().catch(() => {});
  };
}
