import type { SipCredentials } from '../../sip-accounts/sip-credentials.ts';
import { quoteSipDisplayName } from './sip-display-name.ts';
import { escapeSipUserPart, formatSipHost } from './sip-uri.ts';
import { escapeXmlAttribute, escapeXmlText } from './xml-text.ts';

export interface LinphoneXmlOptions {
  /** Makes Linphone forget the provisioning URL once applied: right when the URL holds a one-time token. */
  transient?: boolean;
  /** Registration lifetime in seconds. */
  regExpires?: number;
}

type Section = { name: string; entries: Array<[name: string, value: string]> };

function regIdentity(credentials: SipCredentials): string {
  const address = `<sip:${escapeSipUserPart(credentials.username)}@${formatSipHost(credentials.domain)}>`;
  return credentials.display_name === '' ? address : `${quoteSipDisplayName(credentials.display_name)} ${address}`;
}

// Linphone has no port or transport key: both live in the proxy URI, always explicit so no SRV lookup
// or default port can send the phone elsewhere. With an outbound proxy the URI names the proxy (already
// `host:port`, an IPv6 host bracketed), and the identity keeps the domain.
function regProxy(credentials: SipCredentials): string {
  const hostPort = credentials.proxy ?? `${formatSipHost(credentials.domain)}:${credentials.port}`;
  return `<sip:${hostPort};transport=${credentials.transport}>`;
}

// liblinphone's names for the media encryptions ([sip] media_encryption, coreapi/linphonecore.c). SDES-SRTP and
// DTLS-SRTP are what the PBX negotiates, so a call without them is refused; ZRTP runs end to end between phones,
// which a PBX that terminates the media (voicemail, conferences) cannot do, so it is offered, not required.
const LINPHONE_MEDIA_ENCRYPTION = {
  srtp: { name: 'srtp', mandatory: true },
  zrtp: { name: 'zrtp', mandatory: false },
  'dtls-srtp': { name: 'dtls', mandatory: true },
} as const;

/** The `[sip]` section for the media encryption; none when the phone is left its own choice. */
function mediaEncryptionSection(credentials: SipCredentials): Section[] {
  const encryption = credentials.media_encryption ?? 'none';
  if (encryption === 'none') return [];
  const { name, mandatory } = LINPHONE_MEDIA_ENCRYPTION[encryption];
  return [{ name: 'sip', entries: [['media_encryption', name], ['media_encryption_mandatory', mandatory ? '1' : '0']] }];
}

function renderSection(section: Section): string {
  const entries = section.entries.map(
    ([name, value]) => `    <entry name="${escapeXmlAttribute(name)}" overwrite="true">${escapeXmlText(value)}</entry>\n`,
  );
  return `  <section name="${escapeXmlAttribute(section.name)}">\n${entries.join('')}  </section>\n`;
}

/**
 * The Linphone remote-provisioning document (lpconfig.xsd) for one account. Every entry overwrites: Linphone
 * keeps `proxy_N` sections across provisioning, so anything weaker duplicates or leaves stale accounts.
 */
export function renderLinphoneXml(credentials: SipCredentials, options: LinphoneXmlOptions = {}): string {
  const { transient = true, regExpires = 3600 } = options;
  if (!Number.isInteger(regExpires) || regExpires <= 0) {
    throw new RangeError('regExpires must be a positive whole number of seconds');
  }
  const sections: Section[] = [
    { name: 'misc', entries: [['transient_provisioning', transient ? '1' : '0']] },
    ...mediaEncryptionSection(credentials),
    {
      name: 'proxy_0',
      entries: [
        ['reg_identity', regIdentity(credentials)],
        ['reg_proxy', regProxy(credentials)],
        // The route set, as Linphone's own "outbound proxy" switch writes it: the proxy address again, so calls
        // too go through the proxy rather than to the domain (liblinphone adds `;lr`, and leaves the route out of
        // a request already addressed to it, such as the REGISTER).
        ...(credentials.proxy ? [['reg_route', regProxy(credentials)] as [string, string]] : []),
        ['reg_expires', String(regExpires)],
        ['reg_sendregister', '1'],
      ],
    },
    {
      name: 'auth_info_0',
      entries: [
        ['username', credentials.username],
        ['userid', credentials.auth_username],
        ['passwd', credentials.password],
        ['domain', credentials.domain],
      ],
    },
  ];
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<config xmlns="http://www.linphone.org/xsds/lpconfig.xsd">\n' +
    sections.map(renderSection).join('') +
    '</config>\n'
  );
}
