import type { SipCredentials } from '../../sip-accounts/sip-credentials.ts';
import { renderAcrobitsQrText, type AcrobitsOptions } from './acrobits.ts';
import { credentialFormatNotConfigured } from './formats.errors.ts';
import { renderLinphoneXml, type LinphoneXmlOptions } from './linphone-xml.ts';
import { renderSessionTalkQrText, type SessionTalkOptions } from './sessiontalk.ts';
import { renderSipUri } from './sip-uri.ts';

/** Operator settings each format may need, keyed by format name; built once from config. */
export interface CredentialFormatOptions {
  'linphone-xml'?: LinphoneXmlOptions;
  acrobits?: AcrobitsOptions;
  sessiontalk?: SessionTalkOptions;
}

export interface CredentialFormat {
  contentType: string;
  render(credentials: SipCredentials, options: CredentialFormatOptions): string;
}

// Field by field, so an object carrying more than the contract (a row, a hash) can never leak through.
function renderJson(credentials: SipCredentials): string {
  const { username, password, domain, port, transport, display_name, auth_username, proxy = null, media_encryption = 'none' } = credentials;
  return JSON.stringify({ username, password, domain, port, transport, display_name, auth_username, proxy, media_encryption });
}

const formats = {
  json: { contentType: 'application/json; charset=utf-8', render: renderJson },
  'linphone-xml': {
    contentType: 'application/xml; charset=utf-8',
    render: (credentials, options) => renderLinphoneXml(credentials, options['linphone-xml']),
  },
  acrobits: {
    contentType: 'text/plain; charset=utf-8',
    render: (credentials, options) => {
      if (!options.acrobits) throw credentialFormatNotConfigured({ detail: 'No Acrobits Cloud ID is configured.' });
      return renderAcrobitsQrText(credentials, options.acrobits);
    },
  },
  sessiontalk: {
    contentType: 'text/plain; charset=utf-8',
    render: (credentials, options) => renderSessionTalkQrText(credentials, options.sessiontalk),
  },
  'sip-uri': { contentType: 'text/plain; charset=utf-8', render: renderSipUri },
} satisfies Record<string, CredentialFormat>;

export type CredentialFormatName = keyof typeof formats;

/** Every format `GET /sip/credentials?format=<name>` can serve. */
export const credentialFormats: Readonly<Record<CredentialFormatName, CredentialFormat>> = formats;

export const credentialFormatNames = Object.keys(formats) as CredentialFormatName[];

export { renderAcrobitsQrText, renderLinphoneXml, renderSessionTalkQrText, renderSipUri };
export { renderQrPng, renderQrSvg } from './qr.ts';
export type { AcrobitsOptions, LinphoneXmlOptions, SessionTalkOptions };
