/** Runs `work` while renewing a lease every third of `leaseMs`; a failed renewal is retried at the next beat. */
export async function withLeaseRenewal<T>(leaseMs: number, renew: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void renew().catch(() => {}), Math.max(100, Math.floor(leaseMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
