/**
 * The Asterisk Manager Interface's line protocol, as main/manager.c speaks it: on connect one banner line
 * `Asterisk Call Manager/<version>`, then messages of `Key: Value` lines, each message ended by an empty line,
 * lines ended by CRLF. Actions go the same way (`Action: …` first). Header names are case-insensitive in
 * Asterisk (astman_get_header), so a parsed message holds them lower-cased.
 *
 * Written by hand rather than taken from npm: the AMI clients there (asterisk-manager, last change 2021;
 * asterisk-ami-client, 2018, on `co` and debug 2) are unmaintained, untyped and have no per-action timeout,
 * and the part needed here — one login, one list action, one logoff — is this file and ami-connection.ts.
 */

/** One message from Asterisk: a response or an event, header names lower-cased. */
export type AmiMessage = Readonly<Record<string, string>>;

/** Largest message accepted before giving up on a server that never ends one (a contact event is < 1 KB). */
const MAX_MESSAGE_CHARS = 64 * 1024;

export class AmiProtocolError extends Error {
  override name = 'AmiProtocolError';
}

/** An action as Asterisk reads it; refuses a value with a line break, which would smuggle in other headers. */
export function formatAction(fields: Readonly<Record<string, string>>): string {
  const lines = Object.entries(fields).map(([key, value]) => {
    if (/[\r\n]/.test(key) || /[\r\n]/.test(value)) throw new AmiProtocolError(`AMI header ${key.replace(/[\r\n]/g, ' ')} holds a line break`);
    return `${key}: ${value}\r\n`;
  });
  return `${lines.join('')}\r\n`;
}

function parseMessage(block: string): AmiMessage {
  const message: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // Asterisk writes none; a stray line carries nothing we read
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!(key in message)) message[key] = line.slice(colon + 1).trim();
  }
  return message;
}

/**
 * Splits what the server sends into the banner (its version) and messages. Text comes in chunks cut anywhere;
 * `push` keeps the unfinished rest. Throws an AmiProtocolError for a server that is not Asterisk's AMI.
 */
export function createAmiReader(handlers: { banner(version: string): void; message(message: AmiMessage): void }) {
  let buffer = '';
  let bannerSeen = false;
  return {
    push(chunk: string): void {
      buffer += chunk.replace(/\r/g, '');
      if (!bannerSeen) {
        const end = buffer.indexOf('\n');
        if (end < 0) {
          if (buffer.length > 200) throw new AmiProtocolError('the server sent no AMI banner');
          return;
        }
        const match = /^Asterisk Call Manager\/(\S+)/.exec(buffer.slice(0, end));
        if (!match) throw new AmiProtocolError('the server is not an Asterisk Manager Interface (no "Asterisk Call Manager/" banner)');
        bannerSeen = true;
        buffer = buffer.slice(end + 1);
        handlers.banner(match[1]!);
      }
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.trim() !== '') handlers.message(parseMessage(block));
      }
      if (buffer.length > MAX_MESSAGE_CHARS) throw new AmiProtocolError('an AMI message did not end within 64 KB');
    },
  };
}
