import { describe, expect, it } from 'vitest';
import { describeBackgroundParts, WORKER_STALLED_AFTER_MS } from './background-parts.ts';

describe('the background parts /readyz reports', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('calls a worker whose loop came round within a minute running, one that did not stalled, one started but not yet round starting, one never started stopped', () => {
    const worker = (beat: number | undefined, started = true) =>
      describeBackgroundParts({ workerLastBeatAt: () => beat, workerStarted: () => started, listening: () => true }, now);
    expect(worker(now - 1000)).toMatchObject({ worker: 'running', worker_last_beat_at: '2029-12-31T23:59:59.000Z' });
    expect(worker(now - WORKER_STALLED_AFTER_MS - 1).worker).toBe('stalled');
    expect(worker(undefined)).toMatchObject({ worker: 'starting', worker_last_beat_at: null });
    expect(worker(undefined, false)).toMatchObject({ worker: 'stopped', worker_last_beat_at: null });
  });

  it('says whether account changes are listened to, being reconnected, or not needed (cache off)', () => {
    const changes = (listening: boolean | undefined) => describeBackgroundParts({ workerLastBeatAt: () => now, workerStarted: () => true, listening: () => listening }, now).account_changes;
    expect([changes(true), changes(false), changes(undefined)]).toEqual(['listening', 'reconnecting', 'disabled']);
  });
});
