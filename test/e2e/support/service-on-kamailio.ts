import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startKamailio, type RunningKamailio } from './kamailio.ts';
import { startListeningService, type ListeningService } from './listening-service.ts';

/**
 * For one e2e file: a real Kamailio (plain passwords, domain 127.0.0.1) and the service provisioning it over
 * UDP, with `env` added, plus a connection to Kamailio's database to look at its `subscriber` and `location`
 * rows. Started before the file's first test, stopped after its last (`stopAlso` then, e.g. an SMTP server).
 */
export function serviceOnKamailioForThisFile(env: () => Record<string, string> = () => ({}), { stopAlso }: { stopAlso?: () => Promise<void> } = {}) {
  const file = {} as { kamailio: RunningKamailio; api: ListeningService; sql: pg.Client };
  beforeAll(async () => {
    file.kamailio = await startKamailio({ passwordStorage: 'plain', domain: '127.0.0.1' });
    file.api = await startListeningService({
      PBX_DRIVER: 'kamailio',
      KAMAILIO_DATABASE_URL: file.kamailio.databaseUrl,
      SIP_DOMAIN: file.kamailio.domain,
      SIP_PORT: String(file.kamailio.port),
      SIP_TRANSPORT: 'udp',
      ...env(),
    });
    file.sql = new pg.Client({ connectionString: file.kamailio.databaseUrl });
    await file.sql.connect();
  });
  afterAll(async () => {
    await file.sql?.end();
    await file.api?.close();
    await file.kamailio?.stop();
    await stopAlso?.();
  });
  return {
    get kamailio() {
      return file.kamailio;
    },
    get api() {
      return file.api;
    },
    get sql() {
      return file.sql;
    },
    /** How many `subscriber` or `location` rows Kamailio holds for `username`. */
    countRows: async (table: 'subscriber' | 'location', username: string) =>
      (await file.sql.query<{ n: number }>(`select count(*)::int as n from ${table} where username = $1`, [username])).rows[0]!.n,
  };
}
