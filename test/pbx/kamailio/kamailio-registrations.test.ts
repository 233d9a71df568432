import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKamailioDriver } from '../../../src/modules/pbx/kamailio/kamailio-driver.ts';
import { PbxError } from '../../../src/modules/pbx/pbx-driver.ts';
import { kamailioTestDatabaseForThisFile } from '../../support/kamailio-test-database.ts';

const DOMAIN = 'sip.test.local';
const logger = pino({ level: 'silent' });

const file = kamailioTestDatabaseForThisFile();

// A binding as usrloc (db_mode 3) writes it on a REGISTER.
const bind = (username: string, domain: string | null, userAgent: string, contact = `sip:${username}@192.0.2.7:5062`) =>
  file.sql.query(
    `insert into location (ruid, username, domain, contact, expires, callid, last_modified, user_agent)
     values ($1, $2, $3, $4, now() + interval '1 hour', $5, now(), $6)`,
    [`ruid-${Math.random()}`, username, domain, contact, `call-${Math.random()}`, userAgent],
  );

describe('Kamailio driver: registrations, from usrloc\'s location table', () => {
  it('answers which of the extensions asked about have a binding in its domain, with the User-Agent of the first', async () => {
    const driver = createKamailioDriver({ databaseUrl: file.database.databaseUrl, domain: DOMAIN, passwordStorage: 'both', logger });
    try {
      await bind('2001', DOMAIN, 'Linphonec/5.1.65', 'sip:2001@192.0.2.7:5062');
      await bind('2001', DOMAIN, 'LinphoneiOS/5.2 (iPhone) LinphoneSDK/5.3.0', 'sip:2001@192.0.2.8:5062');
      await bind('2002', null, ''); // usrloc use_domain=0, and no User-Agent header
      await bind('2003', 'other.test.local', 'Elsewhere/1.0'); // another domain's 2003
      await bind('2004', DOMAIN, 'NotAsked/1.0');

      const answer = await driver.registrations!(['2001', '2002', '2003', '2005']);
      expect(answer.sort((a, b) => a.extension.localeCompare(b.extension))).toEqual([
        { extension: '2001', userAgent: 'Linphonec/5.1.65' },
        { extension: '2002', userAgent: null },
      ]);
      expect(await driver.registrations!([])).toEqual([]);
    } finally {
      await driver.close();
    }
  });

  it('fails with a retryable PbxError when the database cannot be reached', async () => {
    const unreachable = new URL(file.database.databaseUrl);
    unreachable.port = '1';
    const driver = createKamailioDriver({ databaseUrl: unreachable.toString(), domain: DOMAIN, passwordStorage: 'both', logger });
    try {
      const failure = await driver.registrations!(['2001']).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PbxError);
      expect(failure).toMatchObject({ retryable: true });
    } finally {
      await driver.close();
    }
  });
});
