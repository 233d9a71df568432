import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/**
 * A tiny SIP user agent over UDP, enough for fast registrar checks: REGISTER with MD5 digest
 * (RFC 3261 section 22, RFC 2617, qop "auth" when offered) and OPTIONS. Retransmits every 500 ms (T1)
 * like a real UAC would, and gives up after `timeoutMs`.
 */

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const token = () => randomBytes(8).toString('hex');

interface SipResponse {
  status: number;
  headers: Map<string, string[]>;
}

function parseResponse(datagram: Buffer): SipResponse | undefined {
  const [head = ''] = datagram.toString('utf8').split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const match = /^SIP\/2\.0 (\d{3}) /.exec(statusLine);
  if (!match) return undefined;
  const headers = new Map<string, string[]>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(match[1]), headers };
}

function parseChallenge(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) {
    params[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  return params;
}

/** Sends one request and resolves with the first final (>= 200) response for its branch. */
async function transaction(args: {
  socket: Socket;
  host: string;
  port: number;
  build: (branch: string) => string;
  timeoutMs: number;
}): Promise<SipResponse> {
  const branch = `z9hG4bK${token()}`;
  const message = Buffer.from(args.build(branch));
  return new Promise<SipResponse>((resolve, reject) => {
    const send = () => args.socket.send(message, args.port, args.host);
    const retransmit = setInterval(send, 500);
    const timeout = setTimeout(() => {
      finish();
      reject(new Error(`no final SIP response from ${args.host}:${args.port} within ${args.timeoutMs} ms`));
    }, args.timeoutMs);
    const onMessage = (datagram: Buffer) => {
      const response = parseResponse(datagram);
      if (!response || response.status < 200) return;
      if (!response.headers.get('via')?.[0]?.includes(branch)) return;
      finish();
      resolve(response);
    };
    const finish = () => {
      clearInterval(retransmit);
      clearTimeout(timeout);
      args.socket.off('message', onMessage);
    };
    args.socket.on('message', onMessage);
    send();
  });
}

async function withSocket<T>(use: (socket: Socket, localPort: number) => Promise<T>): Promise<T> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  try {
    return await use(socket, socket.address().port);
  } finally {
    socket.close();
  }
}

export interface SipRegisterArgs {
  host: string;
  port: number;
  username: string;
  password: string;
  /** The SIP domain (realm); may differ from `host`, the registrar's address. */
  domain: string;
  /** Auth username when it differs from `username`. */
  authUsername?: string;
  /** 0 un-registers. */
  expires?: number;
  timeoutMs?: number;
}

/** REGISTERs once, answering one digest challenge; resolves with the final status code (200, 403, ...). */
export async function sipRegister(args: SipRegisterArgs): Promise<number> {
  const { host, port, username, password, domain } = args;
  const timeoutMs = args.timeoutMs ?? 5_000;
  const requestUri = `sip:${domain}`;
  return withSocket(async (socket, localPort) => {
    const callId = `${token()}@127.0.0.1`;
    const fromTag = token();
    const build = (cseq: number, authorization?: string) => (branch: string) =>
      [
        `REGISTER ${requestUri} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:${username}@${domain}>;tag=${fromTag}`,
        `To: <sip:${username}@${domain}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${username}@127.0.0.1:${localPort}>`,
        `Expires: ${args.expires ?? 60}`,
        ...(authorization ? [`Authorization: ${authorization}`] : []),
        'User-Agent: e2e-raw-sip',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');

    const first = await transaction({ socket, host, port, build: build(1), timeoutMs });
    if (first.status !== 401) return first.status;
    const challenge = parseChallenge(first.headers.get('www-authenticate')?.[0] ?? '');
    if (!challenge.nonce || !challenge.realm) return first.status;

    const authUser = args.authUsername ?? username;
    const ha1 = md5(`${authUser}:${challenge.realm}:${password}`);
    const ha2 = md5(`REGISTER:${requestUri}`);
    const qopAuth = challenge.qop?.split(',').map((qop) => qop.trim()).includes('auth');
    const cnonce = token();
    const response = qopAuth
      ? md5(`${ha1}:${challenge.nonce}:00000001:${cnonce}:auth:${ha2}`)
      : md5(`${ha1}:${challenge.nonce}:${ha2}`);
    const authorization = [
      `Digest username="${authUser}"`,
      `realm="${challenge.realm}"`,
      `nonce="${challenge.nonce}"`,
      `uri="${requestUri}"`,
      `response="${response}"`,
      'algorithm=MD5',
      ...(challenge.opaque !== undefined ? [`opaque="${challenge.opaque}"`] : []),
      ...(qopAuth ? ['qop=auth', 'nc=00000001', `cnonce="${cnonce}"`] : []),
    ].join(', ');
    const second = await transaction({ socket, host, port, build: build(2, authorization), timeoutMs });
    return second.status;
  });
}

/** Sends one OPTIONS to the server itself and resolves with the final status code. */
export async function sipOptions(args: { host: string; port: number; timeoutMs?: number }): Promise<number> {
  const { host, port } = args;
  return withSocket(async (socket, localPort) => {
    const build = (branch: string) =>
      [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1>;tag=${token()}`,
        `To: <sip:${host}:${port}>`,
        `Call-ID: ${token()}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const response = await transaction({ socket, host, port, build, timeoutMs: args.timeoutMs ?? 1_000 });
    return response.status;
  });
}
