import { PbxError } from '../pbx-driver.ts';

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// SQLSTATE classes that a later attempt may get past: connection exception, insufficient resources,
// operator intervention (restart, shutdown), transaction rollback (deadlock, serialization).
const RETRYABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57', '40']);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
}

function describe(error: unknown): { code: string | undefined; message: string } {
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  return {
    code: typeof candidate.code === 'string' ? candidate.code : undefined,
    message: typeof candidate.message === 'string' ? candidate.message : String(error),
  };
}

const isSqlState = (code: string | undefined): code is string => code !== undefined && /^[0-9A-Z]{5}$/.test(code);

/**
 * Maps a node-postgres failure to a PbxError. Server-side errors are not kept as `cause`: their `detail` may
 * quote the failing row, secret included. Only the SQLSTATE and PostgreSQL's short message are kept, and
 * the connection URL (which may hold the database password) is never part of a message.
 */
export function toPbxError(operation: string, error: unknown): PbxError {
  if (error instanceof PbxError) return error;
  const { code, message } = describe(error);

  if (isSqlState(code)) {
    const summary = `kamailio: ${operation} failed: SQLSTATE ${code} ${message}`;
    const sqlClass = code.slice(0, 2);
    if (RETRYABLE_SQLSTATE_CLASSES.has(sqlClass) || code === '3D000') {
      return new PbxError({ kind: 'unavailable', message: summary, retryable: true });
    }
    if (sqlClass === '28') return new PbxError({ kind: 'auth', message: summary, retryable: true });
    if (code === '42P01') {
      return new PbxError({
        kind: 'unavailable',
        message: `${summary} (is deploy/kamailio/schema.sql loaded?)`,
        retryable: true,
      });
    }
    return new PbxError({ kind: 'rejected', message: summary, retryable: false });
  }

  // No SQLSTATE: the failure happened on the way to the server (socket errors, pool or query timeouts,
  // "Connection terminated unexpectedly").
  const isNetwork = (code !== undefined && NETWORK_ERROR_CODES.has(code)) || /timeout|terminated|connect/i.test(message);
  if (isNetwork) {
    return new PbxError({
      kind: 'unavailable',
      message: `kamailio: ${operation} failed: database unreachable (${code ?? message})`,
      retryable: true,
      cause: error,
    });
  }
  return new PbxError({ kind: 'rejected', message: `kamailio: ${operation} failed: ${message}`, retryable: false });
}
