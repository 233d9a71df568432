import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAccountCache } from './account-cache.ts';
import type { SipCredentials } from './sip-credentials.ts';

function fakeDatabase() {
  const handlers = {} as { onNotify: (payload: string) => void; onReset: () => void; onReady: () => void };
  return {
    handlers,
    database: {
      listen: async (args: typeof handlers & { channel: string }) => {
        Object.assign(handlers, args);
        return async () => {};
      },
    },
  };
}

const entry = (): SipCredentials => ({
  username: '1000',
  auth_username: '1000',
  password: 'secret',
  domain: 'sip.example.com',
  port: 5060,
  transport: 'udp',
  display_name: 'Alice',
});

async function startedCache() {
  const { database, handlers } = fakeDatabase();
  const cache = createAccountCache({ database, logger: pino({ level: 'silent' }) });
  await cache.start();
  return { cache, handlers };
}

describe('account cache', () => {
  it('keeps a live account once listening works, and drops it on a change notice for that user', async () => {
    const { cache, handlers } = await startedCache();
    const live = entry();
    cache.set('u1', live, cache.beginRead());
    expect(cache.get('u1')).toBeUndefined(); // not listening yet: nothing is trusted
    handlers.onReady();
    cache.set('u1', live, cache.beginRead());
    expect(cache.get('u1')).toEqual(live);
    handlers.onNotify('someone-else');
    expect(cache.get('u1')).toBeDefined();
    handlers.onNotify('u1');
    expect(cache.get('u1')).toBeUndefined();
  });

  it('does not keep a read that a change notice overtook while it was in flight', async () => {
    const { cache, handlers } = await startedCache();
    handlers.onReady();
    const token = cache.beginRead();
    handlers.onNotify('u1'); // the row changed after our read started
    cache.set('u1', entry(), token);
    expect(cache.get('u1')).toBeUndefined();
  });

  it('empties and is bypassed while notifications may be lost, until listening works again', async () => {
    const { cache, handlers } = await startedCache();
    handlers.onReady();
    cache.set('u1', entry(), cache.beginRead());
    handlers.onReset();
    expect(cache.get('u1')).toBeUndefined();
    cache.set('u1', entry(), cache.beginRead());
    expect(cache.get('u1')).toBeUndefined();
    handlers.onReady();
    cache.set('u1', entry(), cache.beginRead());
    expect(cache.get('u1')).toBeDefined();
  });

  it('reports every lookup as a hit, a miss, or a bypass while change notices are down', async () => {
    const { database, handlers } = fakeDatabase();
    const lookups: string[] = [];
    const cache = createAccountCache({ database, logger: pino({ level: 'silent' }), metrics: { cacheLookup: (result) => lookups.push(result) } });
    await cache.start();
    handlers.onReady();
    cache.get('u1');
    cache.set('u1', entry(), cache.beginRead());
    cache.get('u1');
    handlers.onReset();
    cache.get('u1');
    expect(lookups).toEqual(['miss', 'hit', 'bypass']);
  });
});
