import type { JobDecision } from './job-outcome.ts';

/** How a run of a job ended: the decision recorded, or `lease_lost` when another worker had taken it over. */
export type JobOutcomeLabel = JobDecision['action'] | 'lease_lost';

/**
 * What the queue reports to the service's metrics: declared here so the queue depends on no metrics code.
 * Implemented in `modules/metrics`, wired in `dependencies.ts`.
 */
export interface ProvisioningMetrics {
  jobRecorded(outcome: JobOutcomeLabel): void;
}
