import { describe, expect, it } from 'vitest';
import { isLiblinphoneUserAgent, isLinphoneFetch } from '../src/modules/provisioning/linphone-fetch.ts';

// What liblinphone's versions and Belledonne's apps write (see linphone-fetch.ts for where each comes from).
const LIBLINPHONE = [
  'Unknown', // Debian's linphonec 5.1.65, first fetch (seen on the wire)
  'Linphonec/5.1.65', // the same linphonec once its rc file holds the name (seen on the wire)
  'Unknown (belle-sip/4.4.0)', // liblinphone 4.x/5.0 default
  'Linphone/3.12.0 (belle-sip/1.6.3)', // liblinphone 3.x
  'linphone/3.12.0 (belle-sip/1.6.3)', // an autotools build's PACKAGE_NAME
  'LinphoneAndroid/4.6.14 (Pixel 7) LinphoneSDK/5.0.71 (tags/5.0.71^0)',
  'Linphone Android/6.0.1 (Pixel 8) LinphoneSDK/5.4.2 (tags/5.4.2^0)',
  'LinphoneiOS/4.6.2 (iPhone de Jean) LinphoneSDK/5.1.32',
  'Linphone/5.2.6 (laptop) Ubuntu/22.04 Qt/5.15.3 LinphoneSDK/5.3.47',
  'Linphone Desktop/4.2.5 (Ubuntu 20.04, Qt 5.12.8) LinphoneCore/4.4.0',
  'AcmePhone/2.1 (Galaxy S21) LinphoneSDK/5.2.0 (tags/5.2.0^0)', // a white-label app built from linphone-android
];

const OTHERS = [
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (compatible; Microsoft Exchange link scanner)',
  // A browser-like string naming Linphone is still a browser.
  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36 LinphoneSDK/5.3.0',
  'Mozilla/5.0 (X11; Linux x86_64) (belle-sip/1.6.3)',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'WhatsApp/2.23.20.0',
  'TelegramBot (like TwitterBot)',
  'Twitterbot/1.0',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Discordbot/2.0; +https://discordapp.com',
  'curl/8.5.0',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  'unknown',
  'Unknown bot',
  'Linphone', // no version: not what any liblinphone writes
  'NotLinphone/1.0',
  '',
];

describe('isLiblinphoneUserAgent', () => {
  it.each(LIBLINPHONE)('knows %j', (userAgent) => {
    expect(isLiblinphoneUserAgent(userAgent)).toBe(true);
  });

  it.each(OTHERS)('does not take %j for liblinphone', (userAgent) => {
    expect(isLiblinphoneUserAgent(userAgent)).toBe(false);
  });

  it('does not take a missing User-Agent for liblinphone', () => {
    expect(isLiblinphoneUserAgent(undefined)).toBe(false);
  });
});

describe('isLinphoneFetch', () => {
  const strict = { acceptLegacyLinphone: false };
  const legacy = { acceptLegacyLinphone: true };

  it('counts X-Linphone-Provisioning whatever else the request carries (liblinphone 5.3+)', () => {
    expect(isLinphoneFetch({ 'x-linphone-provisioning': '1', 'user-agent': 'AnyApp/1.0' }, strict)).toBe(true);
    expect(isLinphoneFetch({ 'x-linphone-provisioning': '1', accept: '*/*' }, strict)).toBe(true);
  });

  it('counts a liblinphone User-Agent without Accept on the default settings (liblinphone before 5.3)', () => {
    expect(isLinphoneFetch({ 'user-agent': 'Unknown', host: 'voip.example.com' }, strict)).toBe(true);
    expect(isLinphoneFetch({ 'user-agent': 'Linphonec/5.1.65' }, strict)).toBe(true);
  });

  it('never counts a fetch carrying Accept without the header, even with a liblinphone User-Agent', () => {
    expect(isLinphoneFetch({ 'user-agent': 'Unknown', accept: '*/*' }, strict)).toBe(false);
    expect(isLinphoneFetch({ 'user-agent': 'Linphonec/5.1.65', accept: 'text/html' }, legacy)).toBe(false);
  });

  it('never counts a browser, a scanner or a preview on the default settings', () => {
    for (const userAgent of OTHERS) {
      expect(isLinphoneFetch({ 'user-agent': userAgent, accept: 'text/html,*/*;q=0.8' }, strict)).toBe(false);
      expect(isLinphoneFetch({ 'user-agent': userAgent }, strict)).toBe(false);
    }
    expect(isLinphoneFetch({}, strict)).toBe(false);
  });

  it('with PROVISIONING_ACCEPT_LEGACY_LINPHONE, still counts any fetch without Accept, as before', () => {
    expect(isLinphoneFetch({}, legacy)).toBe(true);
    expect(isLinphoneFetch({ 'user-agent': 'curl/8.5.0' }, legacy)).toBe(true);
    expect(isLinphoneFetch({ 'user-agent': 'Mozilla/5.0', accept: 'text/html' }, legacy)).toBe(false);
  });
});
