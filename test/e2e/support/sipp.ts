import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from './ports.ts';
import { requireProgram, startOwnedProcess } from './processes.ts';

const SCENARIO_FILE = fileURLToPath(new URL('./sipp-register.xml', import.meta.url));

export interface SippRegisterResult {
  successful: number;
  failed: number;
  /** sipp's exit code: 0 when every call passed. */
  exitCode: number | string;
  /** sipp's last output lines, for failure messages. */
  outputTail: string;
}

// The CSV separator and sipp's keyword brackets cannot appear inside a field.
const CSV_UNSAFE = /[;\[\]\r\n]/;

/**
 * Registers every user once through sipp (one call per user, digest auth, see sipp-register.xml) against
 * the registrar at host:port, and reports how many calls passed and failed.
 */
export async function runSippRegister(args: {
  host: string;
  port: number;
  domain: string;
  users: { username: string; password: string }[];
  /** Calls started per second. */
  rate?: number;
  timeoutMs?: number;
}): Promise<SippRegisterResult> {
  const sipp = requireProgram('sipp', 'sip-tester');
  for (const user of args.users) {
    if (CSV_UNSAFE.test(user.username) || CSV_UNSAFE.test(user.password) || /\s/.test(user.password)) {
      throw new Error(`user ${user.username}: sipp injection fields cannot hold ; [ ] or whitespace`);
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'sipp-e2e-'));
  const usersFile = join(dir, 'users.csv');
  const statsFile = join(dir, 'stats.csv');
  const lines = args.users.map(
    ({ username, password }) => `${username};${args.domain};[authentication username=${username} password=${password}]`,
  );
  await writeFile(usersFile, ['SEQUENTIAL', ...lines, ''].join('\n'));
  const timeoutSeconds = Math.ceil((args.timeoutMs ?? 30_000) / 1000);

  const owned = startOwnedProcess({
    command: sipp,
    argv: [
      `${args.host}:${args.port}`,
      '-sf', SCENARIO_FILE,
      '-inf', usersFile,
      '-m', String(args.users.length),
      '-r', String(args.rate ?? 200),
      '-i', '127.0.0.1',
      '-p', String(await freeUdpPort()),
      '-t', 'u1',
      '-recv_timeout', '5000',
      '-timeout', `${timeoutSeconds}s`,
      '-timeout_error',
      '-nostdin',
      '-trace_stat', '-stf', statsFile,
    ],
    options: { cwd: dir },
  });
  try {
    const exitCode = await owned.exited;
    const { successful, failed } = parseStats(await readFile(statsFile, 'utf8').catch(() => ''));
    return { successful, failed, exitCode, outputTail: owned.outputTail(30) };
  } finally {
    await owned.stop({ signal: 'SIGKILL', graceMs: 1_000 });
    await rm(dir, { recursive: true, force: true });
  }
}

/** The cumulative SuccessfulCall(C) and FailedCall(C) columns of the last row of sipp's -trace_stat file. */
function parseStats(csv: string): { successful: number; failed: number } {
  const rows = csv.split('\n').filter((row) => row.trim().length > 0);
  const header = rows[0]?.split(';') ?? [];
  const last = rows.at(-1)?.split(';') ?? [];
  const column = (name: string) => Number(last[header.indexOf(name)] ?? Number.NaN);
  const successful = column('SuccessfulCall(C)');
  const failed = column('FailedCall(C)');
  if (rows.length < 2 || Number.isNaN(successful) || Number.isNaN(failed)) {
    throw new Error(`sipp wrote no usable statistics:\n${csv.slice(0, 2000)}`);
  }
  return { successful, failed };
}
