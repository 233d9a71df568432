/** Why a mail could not be sent, as a code that is safe to log and store, and whether to try again. */
export interface SendFailure {
  code: string;
  retryable: boolean;
}

/** A failure of our own (unreadable payload, a template that cannot render): sending again cannot help. */
export class PermanentMailError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'PermanentMailError';
  }
}

/**
 * Only the error code and the SMTP reply code are kept: a server's reply text may quote the recipient's
 * address, and an error's message may quote the message. A 4xx reply, a connection, TLS, timeout or
 * authentication error (an operator can fix the credentials) is retried; a 5xx refusal of the envelope or the
 * message is permanent (RFC 5321 §4.2.1), as are our own `PermanentMailError`s.
 */
export function classifySendError(error: unknown): SendFailure {
  if (error instanceof PermanentMailError) return { code: error.code, retryable: false };
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const errorCode = typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code) ? code : 'unknown';
  if (typeof responseCode === 'number' && Number.isInteger(responseCode)) {
    const permanent = responseCode >= 500 && (errorCode === 'EENVELOPE' || errorCode === 'EMESSAGE');
    return { code: `smtp_${responseCode}`, retryable: !permanent };
  }
  return { code: errorCode, retryable: true };
}
