import net from 'node:net';
import tls from 'node:tls';
import { freepbxErrors } from '../freepbx.errors.ts';
import { AmiProtocolError, createAmiReader, formatAction, type AmiMessage } from './ami-protocol.ts';

export interface AmiEndpoint {
  host: string;
  port: number;
  tls: boolean;
  /** PEM certificates trusted for TLS instead of the system's (tests; operators add theirs with NODE_EXTRA_CA_CERTS). */
  ca?: string;
}

/** Asterisk answered an action with `Response: Error`; `amiMessage` is its `Message`. */
export class AmiResponseError extends Error {
  override name = 'AmiResponseError';
  constructor(readonly action: string, readonly amiMessage: string) {
    super(`AMI ${action} answered Error: ${amiMessage}`);
  }
}

/** The response to one action and, for a list action (`EventList: start`), its events before the closing one. */
export interface AmiAnswer {
  response: AmiMessage;
  events: AmiMessage[];
}

interface Pending {
  action: string;
  actionId: string;
  response?: AmiMessage;
  events: AmiMessage[];
  resolve(answer: AmiAnswer): void;
  reject(error: Error): void;
}

/**
 * One AMI connection: opened once the banner came, then one action at a time, each bounded by `timeoutMs`.
 * Messages whose ActionID is not the pending action's (unsolicited events) are ignored. Every failure is a
 * PbxError (`unavailable`, retryable) except `Response: Error`, an AmiResponseError the caller judges.
 */
export async function openAmiConnection(endpoint: AmiEndpoint & { timeoutMs: number }) {
  const where = `FreePBX AMI at ${endpoint.host}:${endpoint.port}`;
  let pending: Pending | undefined;
  let failure: Error | undefined;
  let sequence = 0;
  let onBanner: ((version: string) => void) | undefined;

  const socket = endpoint.tls
    ? tls.connect({ host: endpoint.host, port: endpoint.port, ca: endpoint.ca, servername: net.isIP(endpoint.host) ? undefined : endpoint.host })
    : net.connect({ host: endpoint.host, port: endpoint.port });
  socket.setEncoding('utf8');

  const fail = (error: Error) => {
    failure ??= error;
    socket.destroy();
    pending?.reject(failure);
    pending = undefined;
  };
  const reader = createAmiReader({
    banner: (version) => onBanner?.(version),
    message(message) {
      if (!pending || message.actionid !== pending.actionId) return;
      if (!pending.response) {
        if (message.response?.toLowerCase() === 'error') {
          const rejected = pending;
          pending = undefined;
          rejected.reject(new AmiResponseError(rejected.action, message.message ?? ''));
          return;
        }
        pending.response = message;
        if (message.eventlist?.toLowerCase() !== 'start') settle();
        return;
      }
      const list = message.eventlist?.toLowerCase();
      if (list === 'complete') settle();
      else if (list === 'cancelled') fail(freepbxErrors.unavailable(`${where}: the ${pending.action} list was cancelled`));
      else pending.events.push(message);
    },
  });
  function settle() {
    const done = pending!;
    pending = undefined;
    done.resolve({ response: done.response!, events: done.events });
  }

  socket.on('data', (chunk: string) => {
    try {
      reader.push(chunk);
    } catch (error) {
      fail(freepbxErrors.unavailable(`${where}: ${error instanceof AmiProtocolError ? error.message : 'unreadable answer'}`));
    }
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    const code = error.code ? ` (${error.code})` : '';
    // A certificate not trusted is no outage: say so, so the operator looks at FREEPBX_AMI_TLS's trust.
    const tlsProblem = endpoint.tls && /CERT|VERIFY|ISSUER|SELF_SIGNED|TLS|SSL/.test(error.code ?? '');
    fail(freepbxErrors.unavailable(tlsProblem ? `${where}: TLS handshake failed${code}` : `${where} is unreachable${code}`));
  });
  socket.on('close', () => fail(freepbxErrors.unavailable(`${where} closed the connection`)));

  const within = <T>(silence: string, start: (resolve: (value: T) => void, reject: (error: Error) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => fail(freepbxErrors.unavailable(`${where} ${silence} within ${endpoint.timeoutMs} ms`)), endpoint.timeoutMs);
      start(
        (value) => (clearTimeout(timer), resolve(value)),
        (error) => (clearTimeout(timer), reject(error)),
      );
    });

  const banner = await within<string>('sent no banner', (resolve, reject) => {
    if (failure) return reject(failure);
    onBanner = resolve;
    pending = { action: 'connect', actionId: '\0', events: [], resolve: () => {}, reject };
  });
  pending = undefined;

  return {
    /** The AMI version of the banner, e.g. `9.0.0`. */
    banner,
    /** Sends one action (Action and ActionID are added) and waits for its whole answer. */
    async send(action: string, fields: Record<string, string> = {}): Promise<AmiAnswer> {
      if (failure) throw failure;
      if (pending) throw new Error(`AMI ${action} sent while ${pending.action} is waiting`);
      const actionId = `onboarding-${process.pid}-${++sequence}`;
      let text: string;
      try {
        text = formatAction({ Action: action, ActionID: actionId, ...fields });
      } catch (error) {
        throw freepbxErrors.rejected(`${where}: ${(error as Error).message}`);
      }
      return within<AmiAnswer>(`did not answer ${action}`, (resolve, reject) => {
        pending = { action, actionId, events: [], resolve, reject };
        socket.write(text);
      });
    },
    close(): void {
      failure ??= new Error('AMI connection closed');
      socket.destroy();
    },
  };
}

export type AmiConnection = Awaited<ReturnType<typeof openAmiConnection>>;
