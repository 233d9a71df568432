import type { SimContact } from './contacts.ts';

/**
 * The PJSIP list actions' events, field for field as Asterisk writes them (read in Asterisk's source):
 * `ContactStatusDetail` by ast_sip_format_contact_ami (res/res_pjsip/pjsip_options.c) for
 * PJSIPShowRegistrationInboundContactStatuses (res/res_pjsip_registrar.c), and `ContactList` by
 * format_ami_contactlist_handler (the contact's sorcery fields in CamelCase, then Status and RoundtripUsec)
 * for PJSIPShowContacts.
 */
export type Fields = [string, string][];

const roundtrip = (contact: SimContact) => (contact.status === 'Reachable' ? '1520' : 'N/A');

export function contactStatusDetail(contact: SimContact): Fields {
  return [
    ['AOR', contact.aor],
    ['URI', contact.uri],
    ['UserAgent', contact.userAgent],
    ['RegExpire', String(contact.expiresAt)],
    ['ViaAddress', `${contact.viaAddr}:${contact.viaPort}`],
    ['CallID', contact.callId],
    ['Status', contact.status],
    ['RoundtripUsec', roundtrip(contact)],
    ['EndpointName', contact.aor],
    ['ID', contact.id],
    ['AuthenticateQualify', '0'],
    ['OutboundProxy', ''],
    ['Path', ''],
    ['QualifyFrequency', '60'],
    ['QualifyTimeout', '3.000'],
    ['Qualify2xxOnly', '0'],
  ];
}

export function contactList(contact: SimContact): Fields {
  return [
    ['ObjectType', 'contact'],
    ['ObjectName', contact.id],
    ['ViaAddr', contact.viaAddr],
    ['ViaPort', String(contact.viaPort)],
    ['QualifyTimeout', '3.000000'],
    ['CallId', contact.callId],
    ['RegServer', ''],
    ['PruneOnBoot', 'no'],
    ['Path', ''],
    ['Endpoint', contact.aor],
    ['AuthenticateQualify', 'no'],
    ['Uri', contact.uri],
    ['QualifyFrequency', '60'],
    ['UserAgent', contact.userAgent],
    ['ExpirationTime', String(contact.expiresAt)],
    ['OutboundProxy', ''],
    ['Qualify2xxOnly', 'no'],
    ['Status', contact.status],
    ['RoundtripUsec', roundtrip(contact)],
  ];
}
