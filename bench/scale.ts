/**
 * `npm run bench:scale`: does sign-up stay as fast with a million accounts as with none?
 *
 * For each database size (PostgreSQL: 0, 100,000 and 1,000,000 accounts; PGlite: 0 and 100,000), a fresh
 * database is seeded in bulk (bench/scale-seed.ts), the service is built in this process (buildDependencies
 * and buildApp, `none` PBX driver, EXTENSION_RANGE=100000-1999999, otherwise default settings) on a free
 * port, and this measures:
 *  - the allocation cursor's catch-up over the seeded numbers (what start-up does once after an upgrade), then
 *    the first sign-up;
 *  - the allocation query alone (p50/p99 of allocateExtension in a transaction rolled back, so the cursor stays);
 *    beside it the range scan of the design before, for reference;
 *  - sign-up transactions without password hashing (user, allocation, account, job) with BENCH_SCALE_CONCURRENCY
 *    (20) at once: where a lock held for the whole transaction would show;
 *  - real HTTP POST /auth/register with 20 at once for BENCH_SCALE_SECONDS (20) per size: sign-ups/s, p50/p99.
 * The sizes of one engine are measured side by side, in BENCH_SCALE_ROUNDS (4) alternating rounds, so that
 * a change in the machine's load (it is shared) falls on every size alike.
 * PostgreSQL runs on DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres), in a database
 * of its own that is dropped afterwards. Exits non-zero when a sign-up failed or sign-ups/s at the largest size
 * fall more than 15 % below the empty database's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.ts';
import { buildDependencies } from '../src/dependencies.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { resolveGeneratedSecrets } from '../src/config/generated-secrets.ts';
import { queryRows } from '../src/db/database.ts';
import { createPasswordHasher } from '../src/modules/auth/password-hasher.ts';
import { createSipAccountsRepository } from '../src/modules/sip-accounts/sip-accounts.repository.ts';
import { createUsersRepository } from '../src/modules/users/users.repository.ts';
import { encryptSecret, generateSipSecret } from '../src/shared/crypto.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createFreshPostgresDatabase } from '../tools/testing/fresh-postgres-database.ts';
import { seedAccounts } from './scale-seed.ts';

const RANGE = process.env.BENCH_SCALE_RANGE ?? '100000-1999999';
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_SCALE_CONCURRENCY ?? 20);
const sizes = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').filter(Boolean).map(Number);
const POSTGRES_SIZES = sizes(process.env.BENCH_SCALE_POSTGRES, '0,100000,1000000');
const PGLITE_SIZES = sizes(process.env.BENCH_SCALE_PGLITE, '0,100000');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'a long and unusual passphrase 42';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const summary = ({ latencies, seconds }: { latencies: number[]; seconds: number }) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};

interface Load { latencies: number[]; seconds: number; failures: number }
const merge = (a: Load, b: Load): Load => ({ latencies: [...a.latencies, ...b.latencies], seconds: a.seconds + b.seconds, failures: a.failures + b.failures });

/** `concurrency` loops calling `work` until `seconds` are up; latencies of the calls that succeeded. */
async function load(seconds: number, concurrency: number, work: (i: number) => Promise<boolean>): Promise<Load> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      if (await work(next++).catch(() => false)) latencies.push(performance.now() - begin);
      else failures += 1;
    }
  }));
  return { latencies, seconds: (performance.now() - started) / 1000, failures };
}

/** A seeded database and the service on it, with the measures that need no load; `measure` adds a round of load. */
async function prepare(engine: 'postgres' | 'pglite', accounts: number, databaseUrl?: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const config = loadConfig({
    HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir, PBX_DRIVER: 'none', EXTENSION_RANGE: RANGE,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    JWT_SECRET_KEY: randomBytes(32).toString('hex'), CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const logger = createLogger({ level: 'error' });
  const deps = await buildDependencies({ config: resolveGeneratedSecrets({ config, logger }), logger });
  const app = await buildApp(deps);
  const close = async () => {
    await app.close();
    await deps.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    deps.worker.start();
    const address = await app.listen({ host: config.host, port: 0 });
    const { db } = deps.database;
    const range = deps.config.extensionRange;
    const tag = randomBytes(4).toString('hex');
    const register = async (email: string) => {
      const response = await fetch(`${address}/auth/register`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
      });
      await response.arrayBuffer();
      return response.status === 201;
    };

    let begin = performance.now();
    const passwordHash = await createPasswordHasher({ concurrency: 1 }).hash(PASSWORD);
    await seedAccounts(db, { count: accounts, first: range.first, passwordHash, sealedSecret: encryptSecret(deps.config.credentialsEncryptionKey, generateSipSecret()) });
    const seedSeconds = (performance.now() - begin) / 1000;

    // What start-up does on a database that grew behind the allocation cursor (here: the seeding), once.
    begin = performance.now();
    await createSipAccountsRepository({ db }).catchUpAllocationCursor(range);
    const catchUpMs = performance.now() - begin;

    begin = performance.now();
    if (!(await register(`first-${tag}@example.com`))) throw new Error('the first sign-up failed');
    const firstSignUpMs = performance.now() - begin;

    // The allocation query alone, at the cursor: rolled back each time, so every call does the same work.
    const allocations: number[] = [];
    const undo = new Error('rolled back on purpose');
    for (let i = 0; i < 300; i++) {
      await db.transaction(async (tx) => {
        const start = performance.now();
        await createSipAccountsRepository({ db: tx }).allocateExtension(range);
        allocations.push(performance.now() - start);
        throw undo;
      }).catch((error: unknown) => { if (error !== undo) throw error; });
    }
    const allocation = summary({ latencies: allocations, seconds: 1 });

    // The design before: the whole range scanned from its first number (read only, without its lock).
    const oldRuns = engine === 'pglite' && accounts > 0 ? 1 : 3;
    begin = performance.now();
    for (let i = 0; i < oldRuns; i++) {
      await queryRows(db, sql`select n::text from generate_series(${range.first}::bigint, ${range.last}::bigint) as n
        where not exists (select 1 from sip_accounts where extension = n::text)
          and not exists (select 1 from reserved_extensions where extension = n::text) order by n limit 1`);
    }
    const oldQueryMs = (performance.now() - begin) / oldRuns;

    const sipAccounts = deps.useCases.sipAccounts;
    let round = 0;
    let drainSeconds = 0;
    const totals: { transactions: Load; signUps: Load } = { transactions: { latencies: [], seconds: 0, failures: 0 }, signUps: { latencies: [], seconds: 0, failures: 0 } };
    return {
      engine, accounts, seedSeconds, catchUpMs, firstSignUpMs, allocation, oldQueryMs, totals, close,
      get drainSeconds() { return drainSeconds; },
      /** One round: sign-up transactions without hashing, then HTTP sign-ups (the first round warms up first). */
      async measure(seconds: number): Promise<void> {
        round += 1;
        totals.transactions = merge(totals.transactions, await load(seconds / 2, CONCURRENCY, async (i) => {
          await db.transaction(async (tx) => {
            const user = await createUsersRepository({ db: tx }).insert({ email: `tx-${tag}-${round}-${i}@example.com`, passwordHash, displayName: null });
            await sipAccounts.openAccount(tx, user.id);
          });
          return true;
        }));
        // Those sign-ups queued provisioning jobs without waking the worker: let it finish them first, so that
        // the HTTP sign-ups below do not wait behind a backlog of someone else's making.
        begin = performance.now();
        deps.worker.kick();
        while ((await queryRows<{ n: number }>(db, sql`select count(*)::int as n from provisioning_jobs where state in ('queued', 'running')`))[0]!.n > 0) {
          if (performance.now() - begin > 120_000) throw new Error('the provisioning backlog did not drain within 120 s');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        drainSeconds += (performance.now() - begin) / 1000;
        if (round === 1) await load(2, CONCURRENCY, (i) => register(`warm-${tag}-${i}@example.com`)); // JIT and pools warm, not counted.
        totals.signUps = merge(totals.signUps, await load(seconds, CONCURRENCY, (i) => register(`signup-${tag}-${round}-${i}@example.com`)));
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
type Prepared = Awaited<ReturnType<typeof prepare>>;

/** Every size of one engine side by side, measured in alternating rounds (see the top of this file). */
async function measureSideBySide(sizesToRun: number[], open: (accounts: number, i: number) => Promise<Prepared>): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  try {
    for (const [i, accounts] of sizesToRun.entries()) prepared.push(await open(accounts, i));
    for (let round = 0; round < ROUNDS; round++) for (const p of prepared) await p.measure(SECONDS / ROUNDS);
    return prepared;
  } finally {
    for (const p of prepared) await p.close();
  }
}

const results: Prepared[] = [];
const serverDatabases = await Promise.all(POSTGRES_SIZES.map(() => createFreshPostgresDatabase(SERVER_URL, 'bench_scale')));
try {
  results.push(...(await measureSideBySide(POSTGRES_SIZES, (accounts, i) => prepare('postgres', accounts, serverDatabases[i]!.url))));
} finally {
  for (const database of serverDatabases) await database.drop();
}
results.push(...(await measureSideBySide(PGLITE_SIZES, (accounts) => prepare('pglite', accounts))));

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(0));
const cpu = `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.availableParallelism()}`;
console.log(`\nEXTENSION_RANGE=${RANGE}, ${CONCURRENCY} at once, none driver, ${SECONDS} s per size in ${ROUNDS} rounds; ${cpu}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
console.log('| database | accounts | seeded in | cursor catch-up (start-up, once) | first sign-up | allocation p50 / p99 | range scan before | sign-up transactions/s (no hashing), p50 / p99 | jobs drained in | sign-ups/s (HTTP), p50 / p99 | failed |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const tx = summary(r.totals.transactions);
  const up = summary(r.totals.signUps);
  console.log(`| ${r.engine} | ${r.accounts.toLocaleString('en')} | ${r.seedSeconds.toFixed(1)} s | ${ms(r.catchUpMs)} ms | ${ms(r.firstSignUpMs)} ms | ${ms(r.allocation.p50)} / ${ms(r.allocation.p99)} ms | ${ms(r.oldQueryMs)} ms | ` +
    `${tx.perSecond.toFixed(0)}, ${ms(tx.p50)} / ${ms(tx.p99)} ms | ${r.drainSeconds.toFixed(1)} s | ${up.perSecond.toFixed(1)}, ${ms(up.p50)} / ${ms(up.p99)} ms | ${r.totals.signUps.failures + r.totals.transactions.failures} |`);
}
let failed = results.some((r) => r.totals.signUps.failures + r.totals.transactions.failures > 0);
for (const engine of ['postgres', 'pglite'] as const) {
  const runs = results.filter((r) => r.engine === engine);
  const empty = runs.find((r) => r.accounts === 0);
  const largest = runs.at(-1);
  if (!empty || !largest || largest === empty) continue;
  const ratio = summary(largest.totals.signUps).perSecond / summary(empty.totals.signUps).perSecond;
  const met = ratio >= 0.85;
  failed ||= !met;
  console.log(`${engine}: sign-ups/s at ${largest.accounts.toLocaleString('en')} accounts = ${(ratio * 100).toFixed(1)} % of the empty database's (target ≥ 85 %: ${met ? 'met' : 'MISSED'})`);
}
process.exit(failed ? 1 : 0);
