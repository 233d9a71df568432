import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ThrottleCounters } from './login-throttle.counters.ts';

const HOUR_MS = 3_600_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15 * 60_000;

export interface LoginThrottleOptions {
  /** Failed logins an account takes per hour, from all addresses together, before the cap below applies. */
  failuresPerAccountPerHour: number;
  /** Failures in a row from one address at one account before each next attempt waits (1 s, doubling, ≤ 15 min). */
  failuresBeforeDelay: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Accounts by a hash of the email as users are found (case-insensitive): no address or email in a key. */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);

/** IPv6 clients hold whole /64s: one of those is one address here. IPv4-mapped IPv6 is its IPv4. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Failed logins, per account: slows a guesser down without locking the owner out.
 * - Per (account, address): `failuresBeforeDelay` failures in a row are free, then each attempt waits 1 s,
 *   2 s, 4 s… up to 15 min. A success from that address wipes its record.
 * - Per account, across addresses: past `failuresPerAccountPerHour` failures in the hour, an address that
 *   already failed at this account this hour gets no more attempts until the hour is over; an address that
 *   has not (the owner on a fresh network) still gets its attempt, so the owner with the right password
 *   gets in, while a guesser gets at most the cap plus one guess per address it holds.
 * Refused attempts are answered before any password is checked, so they cost nothing and reveal nothing;
 * unknown emails are throttled exactly like known ones. If the counters fail (Redis gone), logins go on
 * unthrottled, as the rate limiter does, rather than locking every user out.
 */
export function createLoginThrottle({ counters, options, logger }: { counters: ThrottleCounters; options: LoginThrottleOptions; logger: Logger }) {
  const keys = (email: string, address: string) => {
    const account = accountKey(email);
    const pair = `${account}:${addressKey(address)}`;
    return { account: `account:${account}`, pair: `pair:${pair}`, wait: `wait:${pair}` };
  };
  let warned = false;
  const failOpen = (error: unknown) => {
    if (!warned) logger.warn({ err: error }, 'Login throttle counters unavailable: failed logins are not throttled until they are back');
    warned = true;
  };
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  return {
    async check(email: string, address: string): Promise<ThrottleVerdict> {
      const key = keys(email, address);
      try {
        const [account, pair, wait] = await counters.read([key.account, key.pair, key.wait]);
        warned = false;
        if (wait) return { allowed: false, retryAfterSeconds: seconds(wait.ttlMs) };
        if (account && pair && account.count >= options.failuresPerAccountPerHour) return { allowed: false, retryAfterSeconds: seconds(account.ttlMs) };
      } catch (error) {
        failOpen(error);
      }
      return { allowed: true };
    },

    async recordFailure(email: string, address: string): Promise<void> {
      const key = keys(email, address);
      try {
        await counters.increment(key.account, HOUR_MS);
        const inARow = await counters.increment(key.pair, HOUR_MS, true);
        const over = inARow - options.failuresBeforeDelay;
        if (over >= 0) await counters.mark(key.wait, Math.min(FIRST_DELAY_MS * 2 ** Math.min(over, 20), MAX_DELAY_MS));
      } catch (error) {
        failOpen(error);
      }
    },

    async recordSuccess(email: string, address: string): Promise<void> {
      const key = keys(email, address);
      await counters.remove([key.pair, key.wait]).catch(failOpen);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
