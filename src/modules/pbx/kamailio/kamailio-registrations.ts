import type pg from 'pg';
import type { PbxRegistration } from '../pbx-driver.ts';
import { toPbxError } from './kamailio.errors.ts';

// One binding per registered extension (the oldest, so the answer is stable), from usrloc's table: the sample
// config writes it through (db_mode 3). A domain of NULL is usrloc's use_domain=0.
const SELECT_REGISTRATIONS = `
  select distinct on (username) username, user_agent
    from location
   where username = any($1::text[]) and (domain = $2 or domain is null)
   order by username, id`;

/** Which of `extensions` a phone has registered with, read from usrloc's `location` table. */
export async function listRegistrations({ pool, domain, extensions }: {
  pool: pg.Pool;
  domain: string;
  extensions: readonly string[];
}): Promise<PbxRegistration[]> {
  if (extensions.length === 0) return [];
  try {
    const result = await pool.query<{ username: string; user_agent: string }>(SELECT_REGISTRATIONS, [extensions, domain]);
    return result.rows.map((row) => ({ extension: row.username, userAgent: row.user_agent === '' ? null : row.user_agent }));
  } catch (error) {
    throw toPbxError('registrations read', error);
  }
}
