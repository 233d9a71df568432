import type pg from 'pg';
import type { PbxListedAccount } from '../pbx-driver.ts';
import { subscriberSecretColumns } from './kamailio-credentials.ts';
import { toPbxError } from './kamailio.errors.ts';

const LIST_SUBSCRIBERS = `
  select username, password, ha1 from subscriber
  where domain = $1 and username ~ '^[1-9][0-9]{0,17}$' and username::numeric between $2 and $3
  order by username::numeric`;

/**
 * The `subscriber` rows of our domain whose username is a number in `range`. Kamailio keeps no owner per
 * row, so none is `marked`. A row is compared on its plain password when it has one, else on its ha1
 * (RFC 2617 HA1 over username, domain and the secret), so either storage of kamailio.cfg is checked.
 */
export async function listSubscribers({ pool, domain, range }: {
  pool: pg.Pool;
  domain: string;
  range: { first: number; last: number };
}): Promise<PbxListedAccount[]> {
  let rows: Array<{ username: string; password: string; ha1: string }>;
  try {
    ({ rows } = await pool.query<{ username: string; password: string; ha1: string }>(LIST_SUBSCRIBERS, [domain, range.first, range.last]));
  } catch (error) {
    throw toPbxError('listing of subscribers', error);
  }
  return rows.map((row) => ({
    extension: row.username,
    marked: false,
    hasSecret(secret: string) {
      if (row.password !== '') return row.password === secret;
      return row.ha1 !== '' && row.ha1 === subscriberSecretColumns({ username: row.username, domain, secret, storage: 'ha1' }).ha1;
    },
  }));
}
