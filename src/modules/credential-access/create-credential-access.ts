import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { CredentialAccessRecorder } from '../sip-accounts/credential-access.port.ts';
import { createAccessRecorder, type AccessRecorderOptions } from './access-recorder.ts';
import { createCredentialAccessRepository } from './credential-access.repository.ts';

/** What tests and benchmarks may change: the buffer, or the recorder altogether. */
export interface CredentialAccessOverrides {
  recorder?: Partial<AccessRecorderOptions>;
  /** Replaces what the routes record to (the benchmark measures with and without recording). */
  replaceRecorder?: CredentialAccessRecorder;
}

/**
 * The credential access log as the rest of the service sees it: `recorder` (the port the credential routes
 * declare), `flush` and the `repository` the access-log route reads, and `close()` (writes what still waits).
 * Entries past ACCESS_LOG_RETENTION_DAYS are deleted by the retention module's sweep.
 */
export function createCredentialAccess({ db, logger: parent, recorder: recorderOptions, replaceRecorder }: {
  db: Database;
  logger: Logger;
} & CredentialAccessOverrides) {
  const logger = parent.child({ component: 'credential-access' });
  const repository = createCredentialAccessRepository({ db });
  const recorder = createAccessRecorder({ repository, logger, options: recorderOptions });
  return {
    recorder: replaceRecorder ?? recorder,
    /** Writes this instance's waiting entries now. */
    flush: recorder.flush,
    /** Entries waiting to be written. */
    pending: () => recorder.pending,
    repository,
    close: () => recorder.close(),
  };
}

export type CredentialAccess = ReturnType<typeof createCredentialAccess>;
