import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Database } from '../../db/database.ts';
import type { PbxDriver } from '../pbx/pbx-driver.ts';
import { createPeriodicTask } from '../../shared/periodic-task.ts';
import { createRegistrationWatchLeaseRepository } from './registration-watch-lease.repository.ts';

/** Accounts asked about per pass, newest first: one a phone never came for stops costing anything past these. */
const MAX_ASKED = 10_000;
/** Registrations recorded per UPDATE. */
const RECORD_CHUNK = 500;

/**
 * "First registration seen": every `intervalMs`, asks the PBX which live accounts without a registration yet
 * a phone has registered with (the driver's optional `registrations`), and records when the service first
 * saw it and that phone's User-Agent; GET /auth/me then shows the account `registered`. Only the newest
 * MAX_ASKED such accounts are asked about each pass, in one call (FreePBX's AMI lists every contact of the PBX
 * whatever it is asked, so one call per pass, not per batch). The record is a conditional UPDATE, so
 * instances polling at once agree and nothing is overwritten; a PBX that fails is asked again next time.
 * Every instance runs the watch, but a scheduled pass takes the `registration_watch_lease` first: one pass per
 * interval for the whole fleet, whichever instance's timer comes first, so the PBX is asked as often with ten
 * instances as with one.
 */
export function createRegistrationWatch({ db, driver, intervalMs, logger }: {
  db: Database;
  driver: Required<Pick<PbxDriver, 'registrations'>>;
  intervalMs: number;
  logger: Logger;
}) {
  /** One pass: how many accounts turned registered. */
  async function checkOnce(): Promise<number> {
    // sip_accounts_awaiting_registration_idx holds exactly these rows, by activated_at.
    const candidates = await queryRows<{ id: string; extension: string }>(db, sql`
      select id, extension from sip_accounts
       where status = 'active' and registered_at is null and activated_at is not null
       order by activated_at desc
       limit ${MAX_ASKED}`);
    if (candidates.length === 0) return 0;
    const byExtension = new Map(candidates.map((account) => [account.extension, account.id]));
    const seen = (await driver.registrations([...byExtension.keys()])).flatMap(({ extension, userAgent }) => {
      const id = byExtension.get(extension);
      return id === undefined ? [] : [{ id, userAgent }];
    });
    let recorded = 0;
    for (let from = 0; from < seen.length; from += RECORD_CHUNK) {
      const rows = seen.slice(from, from + RECORD_CHUNK).map(({ id, userAgent }) => sql`(${id}::uuid, ${userAgent}::text)`);
      const updated = await queryRows<{ id: string }>(db, sql`
        update sip_accounts a set registered_at = now(), registered_user_agent = seen.user_agent
          from (values ${sql.join(rows, sql`, `)}) as seen(id, user_agent)
         where a.id = seen.id and a.status = 'active' and a.registered_at is null returning a.id`);
      recorded += updated.length;
    }
    if (recorded > 0) logger.info({ recorded }, 'Phones seen registered for the first time');
    return recorded;
  }

  const holder = `registrations-${randomUUID()}`;
  const leases = createRegistrationWatchLeaseRepository({ db });
  // A killed holder delays the fleet's next pass by at most this; a pass that outlasts it only repeats work.
  const leaseMs = Math.max(2 * intervalMs, 120_000);

  /** A scheduled pass, unless another instance holds one or began one less than an interval ago. */
  async function passIfDue(): Promise<number | undefined> {
    // 90 %: a timer firing a little early, or a clock step between instances, must not skip this instance's pass.
    if (!(await leases.acquire({ holder, leaseMs, everyMs: Math.floor(intervalMs * 0.9) }))) return undefined;
    try {
      return await checkOnce();
    } finally {
      await leases.release({ holder }).catch(() => {});
    }
  }

  const task = createPeriodicTask({
    run: passIfDue,
    intervalMs,
    onError: (error) => logger.warn({ err: { message: (error as Error)?.message } }, 'Registration check failed; will retry'),
  });

  return { checkOnce, passIfDue, start: task.start, stop: task.stop };
}

export type RegistrationWatch = ReturnType<typeof createRegistrationWatch>;

/** The watch for this driver, or undefined when the driver cannot tell who registered or the checks are off (0 s). */
export function registrationWatchFor({ db, driver, intervalSeconds, logger }: {
  db: Database;
  driver: Pick<PbxDriver, 'registrations'>;
  intervalSeconds: number;
  logger: Logger;
}): RegistrationWatch | undefined {
  if (!driver.registrations || intervalSeconds <= 0) return undefined;
  return createRegistrationWatch({
    db,
    driver: { registrations: (extensions) => driver.registrations!(extensions) },
    intervalMs: intervalSeconds * 1000,
    logger: logger.child({ component: 'registrations' }),
  });
}
