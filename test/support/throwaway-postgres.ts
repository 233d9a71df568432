import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../tools/testing/free-port.ts';

const run = promisify(execFile);

/** The PostgreSQL server binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. Fails when absent. */
function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('No PostgreSQL server binaries (initdb, pg_ctl) found: install them or set PG_BIN. This test must not be skipped.');
  return path.join(root, newest, 'bin');
}

export interface ThrowawayPostgres {
  url: string;
  port: number;
  /** Runs `pg_ctl` with the given action (`stop`, `start`, `restart`) and waits until it is done. */
  ctl(action: 'stop' | 'start' | 'restart'): Promise<void>;
  /** Stops the server and deletes its data directory. */
  remove(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own, on a free port, that a test may kill, stop and restart without touching
 * the shared server other tests use. Run as root, the server binaries must run as the `postgres` user.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-throwaway-pg-'));
  const dataDir = path.join(directory, 'data');
  const logFile = path.join(directory, 'server.log');
  if (asRoot) fs.chownSync(directory, ...postgresIds());
  const exec = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]) : run(path.join(bin, program), args);

  await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // fsync off: a throwaway cluster need not survive a power cut, and the test machine is shared.
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const ctl = async (action: 'stop' | 'start' | 'restart') => {
    const args = ['-D', dataDir, '-w', '-t', '60', '-l', logFile];
    await exec('pg_ctl', action === 'stop' ? [...args, '-m', 'fast', 'stop'] : [...args, '-o', options, action]);
  };
  await ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    ctl,
    async remove() {
      await ctl('stop').catch(() => {});
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

function postgresIds(): [number, number] {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('Running as root, but there is no postgres user to run the throwaway PostgreSQL as.');
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
