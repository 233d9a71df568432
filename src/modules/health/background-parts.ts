/** What /readyz needs to know of the parts that work behind the requests. */
export interface BackgroundParts {
  /** When the provisioning worker's loop last came round; undefined before its first round. */
  workerLastBeatAt: () => number | undefined;
  /** Whether the worker was started (and not stopped): before its first round it is recovering what a dead process left. */
  workerStarted: () => boolean;
  /** Whether account-change notifications arrive; undefined when the account cache is off. */
  listening: () => boolean | undefined;
}

/**
 * A loop that has not come round for this long is stuck (a tick is a batch of PBX calls and one Apply Config;
 * when the database is down the loop keeps coming round, failing fast).
 */
export const WORKER_STALLED_AFTER_MS = 60_000;

/**
 * Reported, never a reason for 503: readiness decides whether a load balancer sends this instance requests,
 * and every request is served without them. A stalled worker delays provisioning, not sign-ups (the jobs wait
 * in the database, for this worker or another instance's); while notifications are down the account cache is
 * bypassed. Taking the instance out of rotation would fix neither, and with one instance would stop the API.
 */
export function describeBackgroundParts(parts: BackgroundParts, now = Date.now()) {
  const beat = parts.workerLastBeatAt();
  const listening = parts.listening();
  return {
    worker: beat === undefined ? (parts.workerStarted() ? 'starting' : 'stopped') : now - beat > WORKER_STALLED_AFTER_MS ? 'stalled' : 'running',
    worker_last_beat_at: beat === undefined ? null : new Date(beat).toISOString(),
    account_changes: listening === undefined ? 'disabled' : listening ? 'listening' : 'reconnecting',
  };
}
