import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { contactList, contactStatusDetail, type Fields } from './ami-events.ts';
import type { SimContact } from './contacts.ts';

/** A manager user (manager.conf / FreePBX's Asterisk Manager Users); `write` holds its write classes. */
export interface SimManagerUser {
  username: string;
  secret: string;
  write: string[];
}

export interface AmiCounters {
  connections: number;
  logins: number;
  loginFailures: number;
  logoffs: number;
  /** Actions run after login, by name as sent. */
  actions: Record<string, number>;
}

/** The AMI version of the banner, as Asterisk's include/asterisk/manager.h (AMI_VERSION) had it when read. */
const AMI_VERSION = '13.0.0';

/**
 * Asterisk's manager interface (main/manager.c) for what the service uses: the banner, Login (plain
 * Username/Secret; `Events: off`), Logoff, Ping and the PJSIP contact lists, with its answers and messages:
 * a wrong secret is `Response: Error` / `Message: Authentication failed` and the session ends; an action before
 * login, or one of a class the user may not write (the PJSIP lists are `system`), is "Permission denied".
 * `silent()`: connections are accepted and nothing is ever sent, as from a hung Asterisk.
 */
export function createAmiServer(deps: {
  users: () => SimManagerUser[];
  contacts: () => SimContact[];
  silent: () => boolean;
  /** manager.conf's `tlsenable`: the same protocol inside TLS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}) {
  const counters: AmiCounters = { connections: 0, logins: 0, loginFailures: 0, logoffs: 0, actions: {} };
  const sockets = new Set<net.Socket>();
  const accept = (socket: net.Socket) => {
    counters.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (deps.silent()) return;
    serve(socket);
  };
  const server = deps.tls ? tls.createServer(deps.tls, accept) : net.createServer(accept);
  // A TLS client that refuses the certificate never gets a secure socket; its raw one still has to go.
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function serve(socket: net.Socket) {
    let user: SimManagerUser | undefined;
    let buffer = '';
    const send = (fields: Fields, actionId: string | undefined) => {
      const withId: Fields = actionId ? [fields[0]!, ['ActionID', actionId], ...fields.slice(1)] : fields;
      socket.write(`${withId.map(([key, value]) => `${key}: ${value}\r\n`).join('')}\r\n`);
    };
    const list = (actionId: string | undefined, message: string, eventName: string, items: Fields[], done: string) => {
      send([['Response', 'Success'], ['EventList', 'start'], ['Message', message]], actionId);
      for (const item of items) send([['Event', eventName], ...item], actionId);
      send([['Event', done], ['EventList', 'Complete'], ['ListItems', String(items.length)]], actionId);
    };
    const may = (writeClass: string) => user!.write.includes(writeClass) || user!.write.includes('all');

    function act(headers: Map<string, string>) {
      const action = headers.get('action') ?? '';
      const id = headers.get('actionid') || undefined;
      const error = (message: string) => send([['Response', 'Error'], ['Message', message]], id);
      const name = action.toLowerCase();
      if (!action) return error('Missing action in request');
      if (!user && name !== 'login' && name !== 'logoff') return error('Permission denied');
      if (name === 'login') {
        if (user) return send([['Response', 'Success'], ['Message', 'Already authenticated']], id);
        const found = deps.users().find((candidate) => candidate.username === headers.get('username'));
        if (!found || found.secret !== headers.get('secret')) {
          counters.loginFailures++;
          error('Authentication failed');
          return socket.end();
        }
        user = found;
        counters.logins++;
        send([['Response', 'Success'], ['Message', 'Authentication accepted']], id);
        // Unsolicited, with no ActionID: sent unless the login turned events off.
        if ((headers.get('events') ?? '').toLowerCase() !== 'off') send([['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Status', 'Fully Booted']], undefined);
        return;
      }
      if (name === 'logoff') {
        counters.logoffs++;
        send([['Response', 'Goodbye'], ['Message', 'Thanks for all the fish.']], id);
        return socket.end();
      }
      counters.actions[action] = (counters.actions[action] ?? 0) + 1;
      if (name === 'ping') return send([['Response', 'Success'], ['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]], id);
      if (name === 'pjsipshowregistrationinboundcontactstatuses') {
        if (!may('system')) return error('Permission denied');
        return list(id, 'Following are ContactStatusEvents for each Inbound registration', 'ContactStatusDetail', deps.contacts().map(contactStatusDetail), 'ContactStatusDetailComplete');
      }
      if (name === 'pjsipshowcontacts') {
        if (!may('system')) return error('Permission denied');
        const contacts = deps.contacts();
        if (contacts.length === 0) return error('No Contacts found');
        return list(id, 'A listing of Contacts follows, presented as ContactList events', 'ContactList', contacts.map(contactList), 'ContactListComplete');
      }
      error(`Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`);
    }

    socket.setEncoding('utf8');
    socket.write(`Asterisk Call Manager/${AMI_VERSION}\r\n`);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0 && !socket.writableEnded; end = buffer.indexOf('\r\n\r\n')) {
        const headers = new Map<string, string>();
        for (const line of buffer.slice(0, end).split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
        buffer = buffer.slice(end + 4);
        act(headers);
      }
    });
  }

  return {
    counters: (): AmiCounters => ({ ...counters, actions: { ...counters.actions } }),
    resetCounters(): void {
      Object.assign(counters, { connections: 0, logins: 0, loginFailures: 0, logoffs: 0, actions: {} });
    },
    /** Listens on `port` (0: a free one) and resolves with the port. */
    listen: (port: number, host: string) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export type AmiServer = ReturnType<typeof createAmiServer>;
