import type { DatabaseHandle } from './db/database.ts';
import type { CredentialAccessOverrides } from './modules/credential-access/create-credential-access.ts';
import type { MailTransport } from './modules/mail/mail-transport.ts';
import type { MailWorkerOptions } from './modules/mail/mail-worker.ts';
import type { PbxDriver } from './modules/pbx/pbx-driver.ts';
import type { WorkerOptions } from './modules/provisioning-jobs/worker-options.ts';

/** What tests swap in buildDependencies (dependencies.ts); the service itself passes none. */
export interface DependencyOverrides {
  /** An open, migrated database (tests share one per file); closing it stays the caller's job. */
  database?: DatabaseHandle;
  driver?: PbxDriver;
  workerOptions?: Partial<WorkerOptions>;
  mailWorkerOptions?: Partial<MailWorkerOptions>;
  /** Replaces SMTP or the outbox. */
  mailTransport?: MailTransport;
  credentialAccess?: CredentialAccessOverrides; // the access log's write-behind buffer, or its recorder
}
