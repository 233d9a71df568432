import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { LinphonecSession } from './linphonec.ts';
import { sipRegister } from './raw-sip.ts';
import type { serviceOnKamailioForThisFile } from './service-on-kamailio.ts';

/**
 * After an account was removed from Kamailio (its durable delete job, waited for here): no `subscriber` row
 * and no `location` binding is left, the same running linphonec is refused (403) when it registers again, and
 * so is any other client with the same credentials.
 */
export async function expectCutOffAtKamailio(
  k: ReturnType<typeof serviceOnKamailioForThisFile>,
  session: LinphonecSession,
  phone: Parameters<LinphonecSession['registerAgain']>[0],
): Promise<void> {
  const { credentials } = phone;
  for (let i = 0; i < 200 && (await k.countRows('subscriber', credentials.username)) > 0; i++) await sleep(100);
  expect(await k.countRows('subscriber', credentials.username)).toBe(0);
  expect(await k.countRows('location', credentials.username)).toBe(0);

  const again = await session.registerAgain(phone);
  expect(again.outcome).toBe('failed');
  expect(again.outcome === 'failed' && again.logTail, k.kamailio.logTail()).toContain('[403]');
  expect(
    await sipRegister({ host: credentials.domain, port: credentials.port, domain: credentials.domain, username: credentials.username, authUsername: credentials.auth_username, password: credentials.password }),
  ).toBe(403);
}
