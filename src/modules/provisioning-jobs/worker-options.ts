export interface WorkerOptions {
  pollIntervalMs: number;
  /**
   * A job (or the apply lease) whose worker stopped renewing it for this long is taken over by another worker
   * (the first one crashed). A live worker renews its leases every third of it, however long the PBX takes.
   */
  leaseMs: number;
  batchSize: number;
  /** Full batches pushed before an Apply Config runs (bounds how long a steady stream can delay it). */
  maxBatchesPerApply: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  applyLeaseMs: number;
  /** On stop, how long jobs in hand (and a reload under way) may take before they are handed back. */
  stopDeadlineMs: number;
}

export const defaultWorkerOptions: WorkerOptions = {
  pollIntervalMs: 1000,
  leaseMs: 120_000,
  batchSize: 16,
  maxBatchesPerApply: 16,
  maxAttempts: 25,
  backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
  applyLeaseMs: 120_000,
  stopDeadlineMs: 8_000,
};
