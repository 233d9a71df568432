import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { CredentialAccessRecorder } from '../sip-accounts/credential-access.port.ts';
import { createAccessLogRetention } from './access-log-retention.ts';
import { createAccessRecorder, type AccessRecorderOptions } from './access-recorder.ts';
import { createCredentialAccessRepository } from './credential-access.repository.ts';

/** What tests and benchmarks may change: the buffer, the sweep interval, or the recorder altogether. */
export interface CredentialAccessOverrides {
  recorder?: Partial<AccessRecorderOptions>;
  sweepIntervalMs?: number;
  /** Replaces what the routes record to (the benchmark measures with and without recording). */
  replaceRecorder?: CredentialAccessRecorder;
}

/**
 * The credential access log as the rest of the service sees it: `recorder` (the port the credential routes
 * declare), `flush` and the `repository` the access-log route reads, the retention sweep (`start()`, with
 * the workers) and `close()` (writes what still waits).
 */
export function createCredentialAccess({ db, retentionDays, logger: parent, recorder: recorderOptions, sweepIntervalMs, replaceRecorder }: {
  db: Database;
  retentionDays: number;
  logger: Logger;
} & CredentialAccessOverrides) {
  const logger = parent.child({ component: 'credential-access' });
  const repository = createCredentialAccessRepository({ db });
  const recorder = createAccessRecorder({ repository, logger, options: recorderOptions });
  const retention = createAccessLogRetention({ db, retentionDays, logger, intervalMs: sweepIntervalMs });
  return {
    recorder: replaceRecorder ?? recorder,
    /** Writes this instance's waiting entries now. */
    flush: recorder.flush,
    /** Entries waiting to be written. */
    pending: () => recorder.pending,
    repository,
    retention,
    start: retention.start,
    async close(): Promise<void> {
      await retention.stop();
      await recorder.close();
    },
  };
}

export type CredentialAccess = ReturnType<typeof createCredentialAccess>;
