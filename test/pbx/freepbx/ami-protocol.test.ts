import { describe, expect, it } from 'vitest';
import { AmiProtocolError, createAmiReader, formatAction, type AmiMessage } from '../../../src/modules/pbx/freepbx/ami/ami-protocol.ts';

const read = (chunks: string[]) => {
  const seen: { banner?: string; messages: AmiMessage[] } = { messages: [] };
  const reader = createAmiReader({ banner: (version) => (seen.banner = version), message: (message) => seen.messages.push(message) });
  for (const chunk of chunks) reader.push(chunk);
  return seen;
};

// What Asterisk sends for a login and a one-contact PJSIPShowRegistrationInboundContactStatuses (main/manager.c,
// res/res_pjsip/pjsip_options.c): CRLF lines, an empty line after each message.
const SESSION = [
  'Asterisk Call Manager/9.0.0\r\n',
  'Response: Success\r\nActionID: a1\r\nMessage: Authentication accepted\r\n\r\n',
  'Response: Success\r\nActionID: a2\r\nEventList: start\r\nMessage: Following are ContactStatusEvents for each Inbound registration\r\n\r\n',
  'Event: ContactStatusDetail\r\nActionID: a2\r\nAOR: 1000\r\nURI: sip:1000@192.0.2.7:5062\r\nUserAgent: Linphone/5.2.5 (belle-sip/5.2.0): x\r\nStatus: NonQualified\r\n\r\n',
  'Event: ContactStatusDetailComplete\r\nActionID: a2\r\nEventList: Complete\r\nListItems: 1\r\n\r\n',
].join('');

describe('AMI line protocol', () => {
  it('reads the banner\'s version and each message, header names lower-cased, a value keeping its own colons', () => {
    const { banner, messages } = read([SESSION]);
    expect(banner).toBe('9.0.0');
    expect(messages).toHaveLength(4);
    expect(messages[2]).toMatchObject({ event: 'ContactStatusDetail', actionid: 'a2', aor: '1000', useragent: 'Linphone/5.2.5 (belle-sip/5.2.0): x', status: 'NonQualified' });
    expect(messages[3]).toMatchObject({ eventlist: 'Complete', listitems: '1' });
  });

  it('reads the same however the text is cut into chunks (here one character at a time)', () => {
    expect(read([...SESSION])).toEqual(read([SESSION]));
  });

  it('refuses a server that is not Asterisk\'s manager interface', () => {
    expect(() => read(['SSH-2.0-OpenSSH_9.6\r\n'])).toThrow(AmiProtocolError);
    expect(() => read(['HTTP/1.1 400 Bad Request\r\n'])).toThrow(/not an Asterisk Manager Interface/);
  });

  it('gives up on a message that never ends instead of buffering without bound', () => {
    expect(() => read(['Asterisk Call Manager/9.0.0\r\n', `Event: X\r\nJunk: ${'x'.repeat(70_000)}`])).toThrow(/64 KB/);
  });

  it('writes an action as CRLF lines ended by an empty line, and refuses a value with a line break (no header smuggling)', () => {
    expect(formatAction({ Action: 'Login', Username: 'onboarding', Secret: 's3cret' })).toBe('Action: Login\r\nUsername: onboarding\r\nSecret: s3cret\r\n\r\n');
    expect(() => formatAction({ Action: 'Login', Secret: 'x\r\nAction: Originate' })).toThrow(AmiProtocolError);
  });
});
