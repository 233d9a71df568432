import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKamailioTestDatabase } from '../../support/kamailio-test-database.ts';
import { freeUdpAndTcpPort, freeUdpPort } from './ports.ts';
import { requireProgram, startOwnedProcess, waitUntil, type OwnedProcess } from './processes.ts';
import { sipOptions } from './raw-sip.ts';

const CONFIG_FILE = fileURLToPath(new URL('../../../deploy/kamailio/kamailio.cfg', import.meta.url));

export interface RunningKamailio {
  host: '127.0.0.1';
  port: number;
  /** Its own fresh database (schema loaded); write accounts here, e.g. through the Kamailio driver. */
  databaseUrl: string;
  /** The SIP domain and realm: `subscriber.domain` and the To domain clients register with. */
  domain: string;
  pid: number;
  /** With `tls`: the TCP port of 127.0.0.1 where it takes SIP over TLS. */
  tlsPort?: number;
  /** Kamailio's recent log lines (it logs to stderr with -E), for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM, wait for the process and its workers, remove the run directory, drop the database. */
  stop(): Promise<void>;
}

/**
 * Starts deploy/kamailio/kamailio.cfg on a free UDP port of 127.0.0.1 with a fresh PostgreSQL database, and
 * resolves once it answers a SIP OPTIONS with 200 (its ports are bound before its workers are ready).
 * `passwordStorage` picks the column Kamailio checks: `plain` (password) or `ha1` (the -A WITH_HA1 define).
 */
export async function startKamailio(
  args: {
    passwordStorage?: 'plain' | 'ha1';
    domain?: string;
    readyTimeoutMs?: number;
    /** SIP over TLS too (the WITH_TLS define, Kamailio's tls module), on a free port, with this certificate and key. */
    tls?: { certificateFile: string; privateKeyFile: string };
  } = {},
): Promise<RunningKamailio> {
  const kamailio = requireProgram('kamailio', args.tls ? 'kamailio kamailio-postgres-modules kamailio-tls-modules' : 'kamailio kamailio-postgres-modules');
  const domain = args.domain ?? 'sip.test.local';
  const database = await createKamailioTestDatabase();
  const runDir = await mkdtemp(join(tmpdir(), 'kamailio-e2e-'));
  const cleanUpFiles = async () => {
    await rm(runDir, { recursive: true, force: true });
    await database.drop();
  };

  let port: number;
  let tlsPort: number | undefined;
  let owned: OwnedProcess;
  try {
    port = await freeUdpPort();
    const argv = ['-f', CONFIG_FILE, '-DD', '-E', '-Y', runDir, '-A', `SIP_PORT=${port}`, '-A', `DBURL="${database.databaseUrl}"`];
    if (args.passwordStorage === 'ha1') argv.push('-A', 'WITH_HA1');
    if (args.tls) {
      tlsPort = await freeUdpAndTcpPort();
      argv.push('-A', 'WITH_TLS', '-A', `TLS_PORT=${tlsPort}`, '-A', `TLS_CERTIFICATE="${args.tls.certificateFile}"`, '-A', `TLS_PRIVATE_KEY="${args.tls.privateKeyFile}"`);
    }
    owned = startOwnedProcess({ command: kamailio, argv });
  } catch (error) {
    await cleanUpFiles();
    throw error;
  }

  const stop = async () => {
    await owned.stop({ signal: 'SIGTERM', graceMs: 5_000 });
    await cleanUpFiles();
  };

  try {
    await waitUntil({
      timeoutMs: args.readyTimeoutMs ?? 10_000,
      check: async () => {
        if (owned.hasExited()) throw new Error(`kamailio exited during start-up:\n${owned.outputTail()}`);
        const status = await sipOptions({ host: '127.0.0.1', port, timeoutMs: 300 }).catch(() => undefined);
        return status === 200 ? true : undefined;
      },
      describeFailure: () => `kamailio did not answer OPTIONS with 200 on 127.0.0.1:${port}:\n${owned.outputTail()}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    databaseUrl: database.databaseUrl,
    domain,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    pid: owned.pid,
    logTail: (lines) => owned.outputTail(lines),
    stop,
  };
}
