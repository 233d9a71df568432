// Shared with the mail queue: one backoff rule for every durable queue.
export { backoffDelayMs } from '../../shared/backoff.ts';
