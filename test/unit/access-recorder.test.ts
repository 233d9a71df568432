import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAccessRecorder } from '../../src/modules/credential-access/access-recorder.ts';
import type { AccessEntry } from '../../src/modules/credential-access/credential-access.repository.ts';
import { CapturedLogs } from '../support/test-service.ts';

const delivery = (n: number) => ({ userId: `user-${n}`, channel: 'json', address: '127.0.0.1', userAgent: `ua-${n}` });

function fakeRepository() {
  const batches: AccessEntry[][] = [];
  let down = false;
  return {
    batches,
    setDown: (value: boolean) => (down = value),
    insertMany: async (entries: AccessEntry[]) => {
      if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      batches.push(entries);
    },
  };
}

const logs = () => {
  const captured = new CapturedLogs();
  return { captured, logger: pino({ level: 'info' }, captured) };
};

describe('the write-behind access recorder', () => {
  it('writes nothing on record, then one multi-row INSERT per batch of batchSize', async () => {
    const repository = fakeRepository();
    const recorder = createAccessRecorder({ repository, logger: logs().logger, options: { flushIntervalMs: 3_600_000, batchSize: 4 } });
    for (let n = 0; n < 3; n++) recorder.record(delivery(n));
    expect(repository.batches).toHaveLength(0);
    recorder.record(delivery(3)); // the fourth fills a batch
    await recorder.flush();
    expect(repository.batches.map((batch) => batch.map((entry) => entry.userId))).toEqual([['user-0', 'user-1', 'user-2', 'user-3']]);
    await recorder.close();
  });

  it('writes what waits every flushIntervalMs', async () => {
    const repository = fakeRepository();
    const recorder = createAccessRecorder({ repository, logger: logs().logger, options: { flushIntervalMs: 50, batchSize: 100 } });
    recorder.record(delivery(1));
    await expect.poll(() => repository.batches.length, { timeout: 5_000 }).toBe(1);
    expect(repository.batches[0]![0]).toMatchObject({ userId: 'user-1', channel: 'json', address: '127.0.0.1', userAgent: 'ua-1' });
    expect(repository.batches[0]![0]!.accessedAt).toBeInstanceOf(Date);
    await recorder.close();
  });

  it('keeps entries while the database is down, drops the oldest beyond maxBuffered with a counted warning, writes the rest after', async () => {
    const repository = fakeRepository();
    const { captured, logger } = logs();
    const recorder = createAccessRecorder({ repository, logger, options: { flushIntervalMs: 3_600_000, batchSize: 2, maxBuffered: 5 } });
    repository.setDown(true);
    for (let n = 0; n < 8; n++) recorder.record(delivery(n));
    await recorder.flush();
    expect(recorder.pending).toBe(5);
    expect(captured.text).toContain('Credential access log not written');
    expect(captured.text).not.toContain('ua-'); // a log line names counts, never the entries

    repository.setDown(false);
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    expect(repository.batches.flat().map((entry) => entry.userId)).toEqual(['user-3', 'user-4', 'user-5', 'user-6', 'user-7']);
    const recovered = captured.lines.map((line) => JSON.parse(line) as { msg: string; dropped?: number }).find((line) => line.msg.includes('written again'));
    expect(recovered?.dropped).toBe(3);
    await recorder.close();
  });

  it('close writes every entry still waiting, in batches', async () => {
    const repository = fakeRepository();
    const recorder = createAccessRecorder({ repository, logger: logs().logger, options: { flushIntervalMs: 3_600_000, batchSize: 1000 } });
    for (let n = 0; n < 5; n++) recorder.record(delivery(n));
    await recorder.close();
    expect(repository.batches).toHaveLength(1);
    expect(repository.batches[0]).toHaveLength(5);
  });

  it('lets identical deliveries within a second share one entry with their count, and no others', async () => {
    const repository = fakeRepository();
    const recorder = createAccessRecorder({ repository, logger: logs().logger, options: { flushIntervalMs: 3_600_000 } });
    for (let n = 0; n < 5; n++) recorder.record(delivery(1));
    recorder.record({ ...delivery(1), userAgent: 'another phone' });
    recorder.record({ ...delivery(1), channel: 'acrobits' });
    recorder.record({ ...delivery(1), address: '192.0.2.9' });
    recorder.record(delivery(2));
    await recorder.flush();
    recorder.record(delivery(1)); // after a flush: a new entry
    await recorder.close();
    expect(repository.batches.flat().map((entry) => [entry.userId, entry.channel, entry.address, entry.userAgent, entry.count])).toEqual([
      ['user-1', 'json', '127.0.0.1', 'ua-1', 5],
      ['user-1', 'json', '127.0.0.1', 'another phone', 1],
      ['user-1', 'acrobits', '127.0.0.1', 'ua-1', 1],
      ['user-1', 'json', '192.0.2.9', 'ua-1', 1],
      ['user-2', 'json', '127.0.0.1', 'ua-2', 1],
      ['user-1', 'json', '127.0.0.1', 'ua-1', 1],
    ]);
  });

  it('cuts a user agent to 512 characters', async () => {
    const repository = fakeRepository();
    const recorder = createAccessRecorder({ repository, logger: logs().logger, options: { flushIntervalMs: 3_600_000 } });
    recorder.record({ ...delivery(1), userAgent: 'x'.repeat(5000) });
    recorder.record({ ...delivery(2), userAgent: undefined });
    await recorder.close();
    expect(repository.batches[0]!.map((entry) => entry.userAgent?.length ?? null)).toEqual([512, null]);
  });
});
