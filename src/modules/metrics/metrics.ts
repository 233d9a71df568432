import type { Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import type { JobOutcomeLabel } from '../provisioning-jobs/provisioning-metrics.port.ts';
import type { QueueDepth } from '../provisioning-jobs/queue-depth.ts';
import { HotHistogram } from './hot-histogram.ts';
import { processMetrics } from './process-metrics.ts';
import { registerQueueGauges } from './queue-gauges.ts';

/** Every series of the service itself starts with this; the process metrics keep their standard names. */
export const METRIC_PREFIX = 'voip_onboarding_';

const JOB_OUTCOMES = ['finish', 'await_apply', 'retry', 'fail', 'move_extension', 'lease_lost'] as const satisfies readonly JobOutcomeLabel[];
const SIGN_UP_OUTCOMES = ['active', 'pending', 'failed', 'awaiting_verification', 'email_already_registered', 'password_too_common'];
const CACHE_RESULTS = ['hit', 'miss', 'bypass'] as const;
/** From a cached credentials read (well under a millisecond) to a sign-up waiting PROVISION_WAIT_MS for the PBX. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** An Apply Config takes seconds to minutes (FREEPBX_APPLY_TIMEOUT_MS is 10 min by default). */
const APPLY_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * The service's metrics: one Registry per service (not prom-client's global one, so several services in one
 * process keep apart), its instruments, and the narrow recorders handed to the parts that record. Each
 * recorder matches a port its user declares (provisioning-metrics.port.ts, pbx/instrumented-driver.ts,
 * onboarding/sign-up-metrics.ts, sip-accounts/account-cache.ts), so no module depends on this one.
 */
export function createMetrics({ readQueueDepth, logger }: { readQueueDepth: () => Promise<QueueDepth[]>; logger: Logger }) {
  const own = new Registry();
  const registers = [own];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name: METRIC_PREFIX + name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
    new Histogram<L>({ name: METRIC_PREFIX + name, help, labelNames, buckets, registers });

  // Recorded on every request: the cheap histogram, and cache lookups counted in plain numbers, added to
  // their counter when it is read (each prom-client call on the request path cost ~0.5–1.5 µs).
  const httpDuration = new HotHistogram({ name: `${METRIC_PREFIX}http_request_duration_seconds`, help: 'HTTP requests by route pattern, method and status, and how long they took.', labelNames: ['method', 'route', 'status_code'], buckets: HTTP_BUCKETS, registers });
  const signUps = counter('signups_total', 'Sign-ups (POST /auth/register reaching the use case) by outcome: provisioning status at the answer, or the refusal code.', ['outcome']);
  const jobs = counter('provisioning_jobs_total', 'Runs of provisioning jobs by outcome (finish, await_apply, retry, fail, move_extension, lease_lost).', ['outcome']);
  const applyRuns = counter('pbx_apply_runs_total', 'Apply Config runs (FreePBX reloads) by outcome.', ['outcome']);
  const applyDuration = histogram('pbx_apply_duration_seconds', 'How long each Apply Config took, polling included.', ['outcome'], APPLY_BUCKETS);
  const pbxErrors = counter('pbx_call_errors_total', 'Failed PBX calls by operation and PbxError kind.', ['operation', 'kind']);
  const rateLimited = counter('rate_limit_refusals_total', 'Requests refused with 429 by a rate limit, by route pattern.', ['route']);
  const lookupsNotCounted = { hit: 0, miss: 0, bypass: 0 };
  const cacheLookups: Counter<'result'> = new Counter({
    name: `${METRIC_PREFIX}account_cache_lookups_total`,
    help: 'Account cache lookups on credential reads: hit, miss, or bypass (change notices down).',
    labelNames: ['result'],
    registers,
    collect() {
      for (const result of CACHE_RESULTS) {
        if (lookupsNotCounted[result] > 0) cacheLookups.inc({ result }, lookupsNotCounted[result]);
        lookupsNotCounted[result] = 0;
      }
    },
  });
  registerQueueGauges({ prefix: METRIC_PREFIX, registers, readQueueDepth, logger });

  // Known series exist from the start at 0, so a rate() over them is defined before the first event.
  for (const outcome of JOB_OUTCOMES) jobs.inc({ outcome }, 0);
  for (const outcome of SIGN_UP_OUTCOMES) signUps.inc({ outcome }, 0);
  for (const result of CACHE_RESULTS) cacheLookups.inc({ result }, 0);
  for (const outcome of ['succeeded', 'failed']) applyRuns.inc({ outcome }, 0);

  return {
    /** What GET /metrics serves: the process metrics and this service's. */
    registry: Registry.merge([processMetrics(), own]),
    http: {
      observe(method: string, route: string, statusCode: number, seconds: number): void {
        httpDuration.observe(seconds, method, route, statusCode);
      },
      rateLimited(route: string): void {
        rateLimited.inc({ route });
      },
    },
    signUps: {
      signUp(outcome: string): void {
        signUps.inc({ outcome });
      },
    },
    provisioning: {
      jobRecorded(outcome: JobOutcomeLabel): void {
        jobs.inc({ outcome });
      },
    },
    pbx: {
      callFailed(operation: string, kind: string): void {
        pbxErrors.inc({ operation, kind });
      },
      applyFinished(outcome: 'succeeded' | 'failed', seconds: number): void {
        applyRuns.inc({ outcome });
        applyDuration.observe({ outcome }, seconds);
      },
    },
    accountCache: {
      cacheLookup(result: (typeof CACHE_RESULTS)[number]): void {
        lookupsNotCounted[result] += 1;
      },
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
