import { describe, expect, it } from 'vitest';
import { createApplySchedule } from '../../src/modules/provisioning-jobs/apply-schedule.ts';

describe('when the next Apply Config may run', () => {
  it('is at once while applies succeed, after a growing backoff while they fail, and at once again after a success', () => {
    let now = 0;
    const schedule = createApplySchedule({ backoff: { baseMs: 1000, maxMs: 10_000 }, now: () => now, random: () => 1 });
    expect(schedule.isDue()).toBe(true);

    expect(schedule.failed()).toBe(1);
    now = 999;
    expect(schedule.isDue()).toBe(false);
    now = 1000;
    expect(schedule.isDue()).toBe(true);

    expect(schedule.failed()).toBe(2);
    now = 2999;
    expect(schedule.isDue()).toBe(false);

    schedule.succeeded();
    expect(schedule.isDue()).toBe(true);
    expect(schedule.failed()).toBe(1);
  });
});
