import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SipCredentials } from '../../../src/modules/sip-accounts/sip-credentials.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeUdpAndTcpPort } from './ports.ts';
import { requireProgram, startOwnedProcess, waitUntil, type OwnedProcess } from './processes.ts';

/**
 * Registers the real Linphone core (linphonec 5.1) once and reports the outcome it logs.
 *
 * Each run gets a fresh directory: its own HOME and XDG_RUNTIME_DIR (else it litters /tmp/pulse-*), and a
 * fresh rc file (linphonec rewrites it, replacing `passwd` with `ha1`). Commands go to its stdin through a
 * pipe that stays open (EOF on stdin would end it); the outcome is read from its log file, as stdout shows no
 * state changes. It ignores SIGTERM and SIGINT: it is stopped with `quit`, then SIGKILL.
 */
export type LinphonecOutcome = { outcome: 'ok' } | { outcome: 'failed'; logTail: string };

const OK = /LinphoneRegistrationProgress\] to \[LinphoneRegistrationOk\]/;
const FAILED = /to \[LinphoneRegistrationFailed\]/;

const rcValue = (value: string) => {
  if (/[\r\n]/.test(value)) throw new Error('linphonec rc values cannot hold line breaks');
  return value;
};

/** The account part of a linphonec rc file, as a softphone would be configured from `GET /sip/credentials`. */
export function linphonecAccountSections(args: { credentials: SipCredentials; proxyHost: string; proxyPort: number }) {
  const { credentials, proxyHost, proxyPort } = args;
  return [
    '[proxy_0]',
    `reg_proxy=<sip:${proxyHost}:${proxyPort};transport=${credentials.transport}>`,
    `reg_identity=sip:${rcValue(credentials.username)}@${rcValue(credentials.domain)}`,
    'reg_expires=60',
    'reg_sendregister=1',
    'publish=0',
    '',
    '[auth_info_0]',
    `username=${rcValue(credentials.username)}`,
    `userid=${rcValue(credentials.auth_username)}`,
    `passwd=${rcValue(credentials.password)}`,
    `realm=${rcValue(credentials.domain)}`,
    `domain=${rcValue(credentials.domain)}`,
    '',
  ].join('\n');
}

/** Registers with the given credentials through the proxy (the registrar's address, which may differ from the domain). */
export async function registerWithLinphonec(args: {
  credentials: SipCredentials;
  proxyHost: string;
  proxyPort: number;
  timeoutMs?: number;
}): Promise<LinphonecOutcome> {
  return runLinphonec({ accountSections: linphonecAccountSections(args), timeoutMs: args.timeoutMs });
}

/**
 * Starts linphonec with an rc holding only its ports and `[misc] config-uri`, so that it fetches its account
 * by remote provisioning (Linphone XML) and registers with it.
 */
export async function registerWithLinphonecConfigUri(args: { configUri: string; timeoutMs?: number; sipSettings?: string[] }): Promise<LinphonecOutcome> {
  return runLinphonec({ accountSections: `[misc]\nconfig-uri=${rcValue(args.configUri)}\n`, timeoutMs: args.timeoutMs, sipSettings: args.sipSettings });
}

/**
 * A linphonec started on its own configuration (a free SIP port, `accountSections`, and `sipSettings`: more
 * `[sip]` lines of the phone's own, not provisioned, e.g. `root_ca=<file>` to trust a test CA), with its log,
 * the registration outcome logged after a point of it, and `stop` (quits, removes its files).
 */
async function launchLinphonec(args: { accountSections: string; sipSettings?: string[] | undefined }) {
  const linphonec = requireProgram('linphonec', 'linphone-cli');
  const dir = await mkdtemp(join(tmpdir(), 'linphonec-e2e-'));
  const home = join(dir, 'home');
  const runtime = join(dir, 'runtime');
  // Without this directory its SQLite database cannot be opened and the core never starts (no listening point,
  // no REGISTER, and nothing in the log says why).
  await mkdir(join(home, '.local', 'share', 'linphone'), { recursive: true });
  await mkdir(runtime, { recursive: true, mode: 0o700 });
  const rcFile = join(dir, 'linphonerc');
  const logFile = join(dir, 'linphonec.log');
  await writeFile(logFile, '');
  // A real port, not -1 (which opens no listening point and fails at once); random, as a second guard.
  const sipPort = await freeUdpAndTcpPort();
  const rc = ['[sip]', `sip_port=${sipPort}`, 'sip_tcp_port=0', 'sip_random_port=0', 'default_proxy=0', ...(args.sipSettings ?? []).map(rcValue), '', args.accountSections];
  await writeFile(rcFile, rc.join('\n'));

  const owned = startOwnedProcess({
    command: linphonec,
    argv: ['-c', rcFile, '-d', '6', '-l', logFile],
    stdin: 'pipe',
    options: { cwd: dir, env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime } },
  });
  const readLog = () => readFile(logFile, 'utf8').catch(() => '');
  return {
    owned,
    readLog,
    /** The registration outcome logged after `from` characters of the log. */
    outcomeAfter: (from: number, timeoutMs: number) =>
      waitUntil({
        timeoutMs,
        intervalMs: 100,
        check: async () => {
          const log = (await readLog()).slice(from);
          if (OK.test(log)) return 'ok' as const;
          if (FAILED.test(log) || owned.hasExited()) return 'failed' as const;
          return undefined;
        },
        describeFailure: () => 'linphonec reached neither LinphoneRegistrationOk nor LinphoneRegistrationFailed',
      }).catch(() => 'timeout' as const),
    async stop() {
      await quit(owned);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function runLinphonec(args: { accountSections: string; timeoutMs?: number | undefined; sipSettings?: string[] | undefined }): Promise<LinphonecOutcome> {
  const phone = await launchLinphonec(args);
  try {
    const outcome = await phone.outcomeAfter(0, args.timeoutMs ?? 15_000);
    if (outcome === 'ok') return { outcome: 'ok' };
    const logTail = (await phone.readLog()).split('\n').slice(-60).join('\n') + `\n--- output ---\n${phone.owned.outputTail(20)}`;
    return { outcome: 'failed', logTail: `${outcome === 'timeout' ? '(timed out)\n' : ''}${logTail}` };
  } finally {
    await phone.stop();
  }
}

/** `quit` un-registers and exits; SIGKILL is the fallback (SIGTERM and SIGINT are ignored). */
async function quit(owned: OwnedProcess): Promise<void> {
  if (!owned.hasExited()) owned.child.stdin?.write('quit\n');
  await Promise.race([owned.exited, sleep(3_000)]);
  await owned.stop({ signal: 'SIGKILL', graceMs: 1_000 });
}

export interface LinphonecSession {
  /** Registers again from the same running linphonec, with the same account; resolves with how it ended. */
  registerAgain(args: { credentials: SipCredentials; proxyHost: string; proxyPort: number; timeoutMs?: number }): Promise<LinphonecOutcome>;
  stop(): Promise<void>;
}

/**
 * A linphonec that stays running once registered, so a test can change the account under it and see the same
 * phone refused: `registerAgain` unregisters and registers the same identity, proxy and password anew.
 * Resolves once the first registration is Ok; throws with the log tail if it is not.
 */
export async function startLinphonecSession(args: { credentials: SipCredentials; proxyHost: string; proxyPort: number; timeoutMs?: number }): Promise<LinphonecSession> {
  const { owned, readLog, outcomeAfter, stop } = await launchLinphonec({ accountSections: linphonecAccountSections(args) });
  const result = async (outcome: 'ok' | 'failed' | 'timeout', from: number): Promise<LinphonecOutcome> =>
    outcome === 'ok' ? { outcome } : { outcome: 'failed', logTail: `${outcome === 'timeout' ? '(timed out)\n' : ''}${(await readLog()).slice(from).split('\n').slice(-60).join('\n')}` };

  const first = await result(await outcomeAfter(0, args.timeoutMs ?? 15_000), 0);
  if (first.outcome !== 'ok') {
    await stop();
    throw new Error(`linphonec did not register:\n${first.logTail}`);
  }
  return {
    async registerAgain(again) {
      const from = (await readLog()).length;
      const { credentials } = again;
      owned.child.stdin?.write('unregister\n');
      await sleep(500);
      owned.child.stdin?.write(
        `register sip:${rcValue(credentials.username)}@${rcValue(credentials.domain)} sip:${again.proxyHost}:${again.proxyPort};transport=${credentials.transport} ${rcValue(credentials.password)}\n`,
      );
      return result(await outcomeAfter(from, again.timeoutMs ?? 15_000), from);
    },
    stop,
  };
}
