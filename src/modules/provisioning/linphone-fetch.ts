import type { IncomingHttpHeaders } from 'node:http';

/**
 * Is this fetch of a provisioning link Linphone's own (which may use the link up), or anybody else's: a
 * browser, an e-mail link scanner, a chat preview (which get the help page and leave the link usable)?
 *
 * What liblinphone sends, from its source and from Debian's linphonec 5.1 seen on the wire:
 *
 * - liblinphone 5.3 and later add `X-Linphone-Provisioning: 1` to the fetch (coreapi/remote_provisioning.c).
 * - Every version builds the request with a `User-Agent` and nothing else but `Host` (belle-sip's HTTP
 *   provider adds only Host, and Content-Length to a body), plus `From` once an account exists: never an
 *   `Accept` header, which every browser and the scanners and previewers imitating them send.
 * - The `User-Agent` is the core's: what the application set with linphone_core_set_user_agent, or else the
 *   compiled-in default. liblinphone 5.1 and later default to `Unknown` (PACKAGE_NAME is not defined in its
 *   CMake builds), and the fetch runs while the core starts, before linphonec names itself: Debian's linphonec
 *   sends `User-Agent: Unknown` on its first fetch and `Linphonec/5.1.65` once its rc file remembers the name.
 *   Up to 5.0 the default carried the stack, `Unknown (belle-sip/1.6.3)`, and 3.x appended that stack token to
 *   the application's name too (`Linphone/3.12.0 (belle-sip/1.6.3)`).
 * - Belledonne's apps, and the many built from them, name themselves before starting the core:
 *   `LinphoneAndroid/4.6.14 (Pixel 7) LinphoneSDK/5.0.71 (tags/5.0.71^0)`, `Linphone Android/6.0.1 (…) LinphoneSDK/…`,
 *   `LinphoneiOS/4.6 (iPhone) LinphoneSDK/5.1.0`, `Linphone/5.2.6 (laptop) Ubuntu/22.04 Qt/5.15 LinphoneSDK/5.3.x`,
 *   `Linphone Desktop/4.2.5 (…) LinphoneCore/4.4.0`.
 *
 * A fetch counts as Linphone's when it carries X-Linphone-Provisioning, or when it has no Accept header and
 * a User-Agent of one of those shapes. A browser's User-Agent always starts with `Mozilla/`, which never
 * matches, and neither does anything that sends an Accept header.
 */
export function isLinphoneFetch(headers: IncomingHttpHeaders, { acceptLegacyLinphone }: { acceptLegacyLinphone: boolean }): boolean {
  if (headers[LINPHONE_HEADER] !== undefined) return true;
  if (headers.accept !== undefined) return false;
  // PROVISIONING_ACCEPT_LEGACY_LINPHONE: the absence of Accept is enough (weaker: any bare client counts).
  return acceptLegacyLinphone || isLiblinphoneUserAgent(headers['user-agent']);
}

/** Linphone sends this header on every remote-provisioning fetch since liblinphone 5.3; browsers and link scanners do not. */
const LINPHONE_HEADER = 'x-linphone-provisioning';

const LIBLINPHONE_USER_AGENTS: readonly RegExp[] = [
  // liblinphone 5.1 and later, before the application names itself (Debian's linphonec on its first fetch).
  /^Unknown$/,
  // The stack token liblinphone up to 5.0 put last: after its `Unknown` default, and in 3.x after the app's name.
  /^[^()]+ \(belle-sip\/\d+(?:\.\d+)*\)$/,
  // Belledonne's apps by name: Linphone, linphone, Linphonec, LinphoneAndroid, LinphoneiOS, Linphone Desktop, …
  /^[Ll]inphone[A-Za-z]*(?: (?:Android|iOS|Desktop))?\/\d/,
  // The SDK token the Android, iOS and desktop apps (and the white-label apps built from them) write after their name.
  /\sLinphone(?:SDK|Core)\/\d/,
];

/** True for a User-Agent liblinphone writes; never for a browser's (they all start with `Mozilla/`). */
export function isLiblinphoneUserAgent(userAgent: string | undefined): boolean {
  if (userAgent === undefined || userAgent.startsWith('Mozilla/')) return false;
  return LIBLINPHONE_USER_AGENTS.some((shape) => shape.test(userAgent));
}
