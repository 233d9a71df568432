import type { PbxRegistration } from '../../pbx-driver.ts';
import type { AmiClient } from './ami-client.ts';

/**
 * res_pjsip_registrar's list of every contact in the registrar's store, one `ContactStatusDetail` event each
 * (AOR, URI, UserAgent, RegExpire, Status, ID, …), closed by `ContactStatusDetailComplete`. Chosen over
 * PJSIPShowContacts (res_pjsip/pjsip_options.c): that one answers `Response: Error` "No Contacts found" when
 * nobody is registered and names the AOR only inside ObjectName (`1000;@hash`); this one is a list even when
 * empty, carries `AOR` itself and exists since Asterisk 13.14 / 14.3 (the other since 16). Both need write
 * permission `system`.
 */
export const CONTACT_STATUSES_ACTION = 'PJSIPShowRegistrationInboundContactStatuses';

/**
 * Which of `extensions` have a registered phone, with its User-Agent (the first contact listed when an
 * extension has several). FreePBX names each PJSIP AOR after its extension.
 *
 * What counts: every contact the action lists, whatever its `Status`. The action reads the sorcery `contact`
 * objects, which live in astdb (res_pjsip/location.c: ast_sorcery_apply_default(…"contact", "astdb",
 * "registrar")) and are written by the registrar, which sees a REGISTER only once res_pjsip's distributor
 * authenticated it (pjsip_distributor.c, authenticate): each one proves a phone registered with the credentials. `Status` is the qualify (OPTIONS ping) result: `NonQualified` when
 * qualify is off, `Unreachable` when a phone behind NAT stops answering pings, `Unknown` before the first
 * ping; none of them undoes the registration. Permanent contacts from an AOR's `contact=` setting are not in
 * that store (their IDs use `@@`, dynamic ones `;@`): one listed anyway is skipped, it is configuration, not a
 * phone. A lapsed contact waiting for the registrar's expiry sweep (every 30 s by default) still counts: it
 * proves the registration as well as a current one, and Kamailio's `location` rows count the same way.
 */
export async function readAmiRegistrations(ami: AmiClient, extensions: readonly string[]): Promise<PbxRegistration[]> {
  if (extensions.length === 0) return [];
  const wanted = new Set(extensions);
  const { events } = await ami.session((send) => send(CONTACT_STATUSES_ACTION));
  const found = new Map<string, string | null>();
  for (const event of events) {
    if (event.event?.toLowerCase() !== 'contactstatusdetail') continue;
    const aor = event.aor ?? '';
    if (!wanted.has(aor) || found.has(aor) || (event.id ?? '').includes('@@')) continue;
    found.set(aor, event.useragent ? event.useragent : null);
  }
  return Array.from(found, ([extension, userAgent]) => ({ extension, userAgent }));
}

/** For checkHealth: logs in and out, and says so; never throws. */
export async function checkAmi(ami: AmiClient): Promise<{ ok: boolean; detail: string }> {
  try {
    await ami.session(async () => undefined);
    return { ok: true, detail: `${ami.where}: logged in (registrations are read from it)` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : `${ami.where}: check failed` };
  }
}
