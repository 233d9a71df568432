import { PbxError, type PbxDriver, type PbxErrorKind } from './pbx-driver.ts';

export type PbxOperation = 'create' | 'update' | 'delete' | 'apply';

/** What a driver's calls report to the service's metrics; implemented in `modules/metrics`, wired in dependencies.ts. */
export interface PbxMetrics {
  /** `internal` when a driver threw something other than a PbxError (a bug: drivers throw PbxErrors). */
  callFailed(operation: PbxOperation, kind: PbxErrorKind | 'internal'): void;
  /** One Apply Config ran for `seconds` (the reload and its polling) and succeeded or failed. */
  applyFinished(outcome: 'succeeded' | 'failed', seconds: number): void;
}

/**
 * The driver with every failed call counted by operation and PbxError kind, and every Apply Config timed:
 * wrapping the driver counts each PBX call once, whoever makes it, with no change to the callers.
 */
export function instrumentPbxDriver(driver: PbxDriver, metrics: PbxMetrics): PbxDriver {
  const counted = <T>(operation: PbxOperation, call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      metrics.callFailed(operation, error instanceof PbxError ? error.kind : 'internal');
      throw error;
    });
  return {
    get name() {
      return driver.name;
    },
    get needsApply() {
      return driver.needsApply;
    },
    createAccount: (account) => counted('create', driver.createAccount(account)),
    updateAccount: (account) => counted('update', driver.updateAccount(account)),
    deleteAccount: (extension) => counted('delete', driver.deleteAccount(extension)),
    // The hooks and waitForApply pass through: a takeover after a crash needs the reload's reference noted
    // in the lease, and the wait for a reload another process left running.
    async applyChanges(hooks) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        await counted('apply', driver.applyChanges(hooks));
      } catch (error) {
        metrics.applyFinished('failed', seconds());
        throw error;
      }
      metrics.applyFinished('succeeded', seconds());
    },
    ...(driver.waitForApply && { waitForApply: (ref: string) => driver.waitForApply!(ref) }),
    ...(driver.listAccounts && { listAccounts: (range: { first: number; last: number }) => driver.listAccounts!(range) }),
    ...(driver.registrations && { registrations: (extensions: readonly string[]) => driver.registrations!(extensions) }),
    checkHealth: () => driver.checkHealth(),
    close: () => driver.close(),
  };
}
