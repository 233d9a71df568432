import { freepbxErrors, redact } from '../freepbx.errors.ts';
import { AmiResponseError, openAmiConnection, type AmiAnswer, type AmiEndpoint } from './ami-connection.ts';

export interface AmiSettings extends AmiEndpoint {
  username: string;
  secret: string;
}

/**
 * Asterisk's AMI, one connection per use: connect, `Login`, the caller's actions, `Logoff`, close. The
 * registration watch asks once a minute or so, and a connection kept between would need keep-alives,
 * reconnects and care for what Asterisk pushes meanwhile; a fresh one costs a TCP handshake and a login, and
 * always uses the current secret and a restarted Asterisk. `Events: off` at login keeps unsolicited events
 * away (manager.c: the session's event mask), so the connection carries only our answers.
 */
export function createAmiClient({ settings, timeoutMs }: { settings: AmiSettings; timeoutMs: number }) {
  const where = `FreePBX AMI at ${settings.host}:${settings.port}`;
  const clean = (text: string) => redact(text, [settings.secret]);

  /** A `Response: Error` as a PbxError: a refused login or action is about the manager user, not a hiccup. */
  function judge(error: unknown): never {
    if (!(error instanceof AmiResponseError)) throw error;
    const said = clean(error.amiMessage);
    if (error.action === 'Login') {
      throw freepbxErrors.auth(`${where} refused the login of manager user "${clean(settings.username)}" (${said}): check FREEPBX_AMI_USERNAME and FREEPBX_AMI_SECRET, and the user's permit/deny in Asterisk Manager Users`);
    }
    if (/permission denied/i.test(said)) {
      throw freepbxErrors.auth(`${where}: manager user "${clean(settings.username)}" may not run ${error.action} (${said}): give it write permission "system"`);
    }
    throw freepbxErrors.rejected(`${where}: ${error.action} failed (${said})`, true);
  }

  return {
    where,
    /** Runs `work` on a logged-in connection; the connection is closed whatever happens. */
    async session<T>(work: (send: (action: string, fields?: Record<string, string>) => Promise<AmiAnswer>) => Promise<T>): Promise<T> {
      const connection = await openAmiConnection({ ...settings, timeoutMs });
      try {
        await connection.send('Login', { Username: settings.username, Secret: settings.secret, Events: 'off' }).catch(judge);
        const result = await work((action, fields) => connection.send(action, fields).catch(judge));
        // Polite, not required: Asterisk ends the session when the socket closes anyway.
        await connection.send('Logoff').catch(() => undefined);
        return result;
      } finally {
        connection.close();
      }
    },
  };
}

export type AmiClient = ReturnType<typeof createAmiClient>;
