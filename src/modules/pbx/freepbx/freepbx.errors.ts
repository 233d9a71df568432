import { PbxError } from '../pbx-driver.ts';

/**
 * Removes every known secret (client secret, access token, SIP secret) from text that came from the server
 * or from a request we built, and bounds its length, before it goes into an error message or a log line.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join('[redacted]');
  }
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

export const freepbxErrors = {
  unavailable: (message: string, cause?: unknown) => new PbxError({ kind: 'unavailable', message, retryable: true, cause }),
  auth: (message: string, retryable = false) => new PbxError({ kind: 'auth', message, retryable }),
  rejected: (message: string, retryable = false) => new PbxError({ kind: 'rejected', message, retryable }),
  extensionTaken: (extension: string) =>
    new PbxError({
      kind: 'extension_taken',
      message: `FreePBX extension ${extension} already exists and was not created by this service`,
      retryable: false,
    }),
  applyFailed: (message: string, retryable = true) => new PbxError({ kind: 'apply_failed', message, retryable }),
  applyTimeout: (message: string) => new PbxError({ kind: 'apply_timeout', message, retryable: true }),
};

/**
 * A GraphQL "Cannot query field … on type Mutation/Query": the field is absent from the schema this token
 * sees. Usually a missing scope; for the Apply Config fields it can also be a framework older than 17
 * (see freepbx.framework.ts), which is why callers can tell this error apart.
 */
export class MissingFieldError extends PbxError {
  constructor(message: string) {
    super({ kind: 'auth', message, retryable: false });
  }
}

/** Network-level failures of fetch (refused, reset, DNS, timeout) as a retryable `unavailable`. */
export function networkError(what: string, error: unknown): PbxError {
  if (error instanceof PbxError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return freepbxErrors.unavailable(`${what}: FreePBX did not answer in time`);
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const code = cause?.code ? ` (${cause.code})` : '';
  return freepbxErrors.unavailable(`${what}: FreePBX is unreachable${code}`);
}
