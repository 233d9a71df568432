import pino, { type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSessionCache } from '../../src/modules/auth/session-cache.ts';

const ALICE = 'a0000000-0000-4000-8000-000000000001';
const S1 = 'b0000000-0000-4000-8000-000000000001';

/** A cache over a fake database: the rows findLive answers, the reads it made, and the listener's callbacks. */
async function cacheOver(
  rows: Map<string, { userId: string; expiresAt: Date }>,
  { now = Date.now, logger = pino({ level: 'silent' }) }: { now?: () => number; logger?: Logger } = {},
) {
  const reads: string[] = [];
  let listener!: { onNotify: (payload: string) => void; onReset: () => void; onReady: () => void };
  const cache = createSessionCache({
    database: { listen: async (args) => ((listener = args), args.onReady(), async () => {}) },
    findLive: async (id) => (reads.push(id), rows.get(id)),
    logger,
    now,
  });
  await cache.start();
  return { cache, reads, listener: () => listener };
}

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('the cache of live sessions', () => {
  it('reads a session once, then answers from memory until a notice says it ended', async () => {
    const rows = new Map([[S1, { userId: ALICE, expiresAt: inAnHour() }]]);
    const { cache, reads, listener } = await cacheOver(rows);
    expect(await cache.isLive(S1, ALICE)).toBe(true);
    expect(await cache.isLive(S1, ALICE)).toBe(true);
    expect(reads).toEqual([S1]);
    rows.delete(S1);
    listener().onNotify(S1);
    expect(await cache.isLive(S1, ALICE)).toBe(false);
    expect(reads).toEqual([S1, S1]);
  });

  it('remembers an ended session for good, even while notices are down, and never reads it again', async () => {
    const { cache, reads, listener } = await cacheOver(new Map());
    listener().onReset();
    expect(await cache.isLive(S1, ALICE)).toBe(false);
    expect(await cache.isLive(S1, ALICE)).toBe(false);
    expect(reads).toEqual([S1]);
  });

  it('reads the database at every check while notices are down (they may have been lost), and uses memory again once they resume', async () => {
    const { cache, reads, listener } = await cacheOver(new Map([[S1, { userId: ALICE, expiresAt: inAnHour() }]]));
    await cache.isLive(S1, ALICE);
    listener().onReset();
    expect(cache.listening).toBe(false);
    await cache.isLive(S1, ALICE);
    await cache.isLive(S1, ALICE);
    expect(reads).toHaveLength(3);
    listener().onReady();
    await cache.isLive(S1, ALICE);
    await cache.isLive(S1, ALICE);
    expect(reads).toHaveLength(4);
  });

  it('warns once when notices stop, saying that every session is then checked in the database', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) });
    const { listener } = await cacheOver(new Map(), { logger });
    listener().onReset();
    listener().onReset();
    expect(warnings).toEqual(['Session end notifications interrupted: every session is checked in the database until they resume']);
  });

  it('does not keep as live what was read while a notice for it came in', async () => {
    const rows = new Map([[S1, { userId: ALICE, expiresAt: inAnHour() }]]);
    const { cache, reads, listener } = await cacheOver(rows);
    const check = cache.isLive(S1, ALICE); // its read is in flight when the notice arrives
    listener().onNotify(S1);
    expect(await check).toBe(true);
    await cache.isLive(S1, ALICE);
    expect(reads).toHaveLength(2);
  });

  it('refuses at once what this instance ended (forget), and another user\'s session, and reads a session again past its expiry', async () => {
    let clock = Date.now();
    const rows = new Map([[S1, { userId: ALICE, expiresAt: new Date(clock + 1_000) }]]);
    const { cache, reads } = await cacheOver(rows, { now: () => clock });
    expect(await cache.isLive(S1, 'c0000000-0000-4000-8000-000000000009')).toBe(false);
    expect(await cache.isLive(S1, ALICE)).toBe(true);
    clock += 2_000;
    rows.set(S1, { userId: ALICE, expiresAt: new Date(clock + 60_000) }); // refreshed meanwhile, on another instance
    expect(await cache.isLive(S1, ALICE)).toBe(true);
    expect(reads).toHaveLength(2);
    cache.forget([S1]);
    expect(await cache.isLive(S1, ALICE)).toBe(false);
    expect(reads).toHaveLength(2);
  });
});
