/**
 * `npm run bench:soak`: a bounded soak of the service as `npm start` runs it (a child process, default settings
 * but raised rate limits), against the FreePBX simulator (another child process, 500 ms Apply Config), all on
 * loopback. For SOAK_DURATION_S (90) per engine, SOAK_CONCURRENCY (8) clients mix sign-ups, logins, credential
 * reads, secret rotations and provisioning-link creations and Linphone fetches, while ~10 % of the calls the
 * service makes to the PBX are made to fail (503 pages and reset connections, injected through the simulator's
 * /__sim/ routes). Then the faults stop and every sign-up that got a 201 must become active within
 * SOAK_SETTLE_S (60). Prints answers by status, 5xx (none expected: the PBX faults are absorbed by the durable
 * queue), lost sign-ups, and the service's RSS over time with its growth after the warm-up (the first third).
 * Runs on PGlite and, with DATABASE_URL, on a fresh database on that PostgreSQL; exits non-zero on any 5xx,
 * any lost sign-up, RSS growth after warm-up over max(16 MiB, 10 %), or an idle or final RSS over 300 MiB (PGlite) / 150 MiB.
 * SOAK_ENGINES (pglite,postgres) picks the engines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '../tools/testing/free-port.ts';
import { memorySplitMiB, rssMiB, startProcess, startService, stopProcess, waitForHttp } from './processes.ts';
import { createSoakClient, type SoakTally } from './soak-client.ts';
import { withFreshPostgresDatabase } from '../tools/testing/fresh-postgres-database.ts';

const DURATION_S = Number(process.env.SOAK_DURATION_S ?? 90);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SETTLE_S = Number(process.env.SOAK_SETTLE_S ?? 60);
const FAULT_SHARE = 0.1;

async function soak(engine: { name: string; databaseUrl?: string; rssTarget: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-soak-'));
  const [simPort, port] = [await freePort(), await freePort()];
  const sim = `http://127.0.0.1:${simPort}`;
  const clientId = randomBytes(16).toString('hex');
  const clientSecret = randomBytes(16).toString('hex');
  const simulator = startProcess(process.execPath, ['--import', 'tsx', 'tools/freepbx-sim/main.ts'], {
    FREEPBX_SIM_PORT: String(simPort), FREEPBX_SIM_CLIENT_ID: clientId, FREEPBX_SIM_CLIENT_SECRET: clientSecret, FREEPBX_SIM_RELOAD_DELAY_MS: '500',
  });
  const env = {
    PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, AUTH_RATE_LIMIT_PER_MINUTE: '1000000', PROVISIONING_RATE_LIMIT_PER_MINUTE: '1000000',
    FREEPBX_HOST: sim, FREEPBX_CLIENT_ID: clientId, FREEPBX_CLIENT_SECRET: clientSecret,
    ...(engine.databaseUrl ? { DATABASE_URL: engine.databaseUrl } : {}),
  };
  delete process.env.LOG_LEVEL;
  const base = `http://127.0.0.1:${port}`;
  const service = startService(env, path.join(dir, 'service.log'));
  const samples: { atS: number; rss: number }[] = [];
  try {
    await waitForHttp(`${sim}/__sim/counters`, Date.now());
    await waitForHttp(`${base}/readyz`, Date.now(), 180_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleRss = rssMiB(service.pid!).now;
    const started = Date.now();
    const elapsedS = () => (Date.now() - started) / 1000;
    const sampler = setInterval(() => samples.push({ atS: elapsedS(), rss: rssMiB(service.pid!).now }), 2000);
    const injected = await injectFaults(sim, () => elapsedS() < DURATION_S);
    const client = createSoakClient(base);
    await Promise.all(Array.from({ length: CONCURRENCY }, () => client.run(() => elapsedS() < DURATION_S)));
    clearInterval(sampler);
    const faults = await injected.done;
    await post(`${sim}/__sim/faults/clear`);
    const lost = await client.waitAllActive(SETTLE_S * 1000);
    const live = ((await (await fetch(`${sim}/__sim/counters`)).json()) as { liveExtensions: unknown[] }).liveExtensions.length;
    const endSplit = memorySplitMiB(service.pid!);
    return { tally: client.tally, faults, lost, live, idleRss, samples, endRss: rssMiB(service.pid!).now, peakRss: rssMiB(service.pid!).peak, endSplit };
  } finally {
    await stopProcess(service);
    await stopProcess(simulator);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const post = (url: string, body: unknown = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Every 250 ms: as many faults as a tenth of the PBX calls made since the last look, half 503s, half resets. */
async function injectFaults(sim: string, going: () => boolean): Promise<{ done: Promise<{ pbxCalls: number; faults: number }> }> {
  const calls = async () => {
    const counters = (await (await fetch(`${sim}/__sim/counters`)).json()) as { tokenRequests: number; gqlRequests: number };
    return counters.tokenRequests + counters.gqlRequests;
  };
  const first = await calls();
  const done = (async () => {
    let seen = first;
    let owed = 0;
    let faults = 0;
    while (going()) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await calls();
      owed += (now - seen) * FAULT_SHARE;
      seen = now;
      const count = Math.floor(owed);
      if (count > 0) {
        owed -= count;
        faults += count;
        const half = Math.ceil(count / 2);
        await post(`${sim}/__sim/faults/fail-next`, { count: half, status: 503, target: 'gql' });
        if (count > half) await post(`${sim}/__sim/faults/reset-next`, { count: count - half, target: 'gql' });
      }
    }
    return { pbxCalls: seen - first, faults };
  })();
  return { done };
}

function report(name: string, rssTarget: number, r: Awaited<ReturnType<typeof soak>>): boolean {
  const t: SoakTally = r.tally;
  const after = r.samples.filter((s) => s.atS >= DURATION_S / 3);
  const warm = after[0]?.rss ?? r.idleRss;
  const growth = r.endRss - warm;
  const fiveXx = Object.entries(t.byStatus).filter(([status]) => Number(status) >= 500).reduce((sum, [, n]) => sum + n, 0);
  const flat = growth <= Math.max(16, warm * 0.1);
  console.log(`\n${name}: ${DURATION_S} s, ${CONCURRENCY} clients`);
  console.log(`  requests: ${t.requests} (${(t.requests / DURATION_S).toFixed(0)}/s); by action ${JSON.stringify(t.byAction)}; by status ${JSON.stringify(t.byStatus)}; network errors ${t.networkErrors}`);
  console.log(`  PBX calls ${r.faults.pbxCalls}, faults injected ${r.faults.faults} (${((100 * r.faults.faults) / Math.max(1, r.faults.pbxCalls)).toFixed(1)} %)`);
  console.log(`  5xx answers: ${fiveXx}${fiveXx ? ` ${JSON.stringify(t.fiveXxCodes)}` : ''}; sign-ups 201: ${t.created}, not active ${SETTLE_S} s after the load: ${r.lost}; live extensions on the PBX: ${r.live}`);
  console.log(`  RSS: idle ${r.idleRss} MiB; after warm-up ${warm} MiB; end ${r.endRss} MiB (growth ${growth >= 0 ? '+' : ''}${growth} MiB); peak ${r.peakRss} MiB — target (idle and end) ≤ ${rssTarget} MiB`);
  console.log(`  RSS at the end by kind (MiB): files (node and libraries) ${r.endSplit.files}, glibc heap ${r.endSplit.mallocHeap}, other anonymous (V8 heap, arenas, stacks) ${r.endSplit.anonymous}`);
  console.log(`  RSS samples (s: MiB): ${r.samples.filter((_, i) => i % 5 === 0).map((s) => `${s.atS.toFixed(0)}: ${s.rss}`).join(', ')}`);
  return fiveXx === 0 && t.networkErrors === 0 && r.lost === 0 && r.live >= t.created && flat && Math.max(r.endRss, r.idleRss) <= rssTarget;
}


console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
// SOAK_ENGINES=postgres (or pglite) soaks one engine only, e.g. to compare settings on one of them.
const engines = (process.env.SOAK_ENGINES ?? 'pglite,postgres').split(',');
let ok = true;
if (engines.includes('pglite')) ok = report('PGlite (embedded)', 300, await soak({ name: 'PGlite', rssTarget: 300 }));
if (process.env.DATABASE_URL && engines.includes('postgres')) {
  const url = process.env.DATABASE_URL;
  ok = report('PostgreSQL', 150, await withFreshPostgresDatabase(url, 'soak', (databaseUrl) => soak({ name: 'PostgreSQL', databaseUrl, rssTarget: 150 }))) && ok;
}
process.exitCode = ok ? 0 : 1;
