import { describe, expect, it } from 'vitest';
import { classifySendError, PermanentMailError } from './send-errors.ts';

const smtpError = (code: string, responseCode?: number) => Object.assign(new Error('550 5.1.1 <alice@example.com>: unknown user'), { code, responseCode });

describe('classifySendError', () => {
  it('retries 4xx replies, connection, timeout and authentication errors', () => {
    expect(classifySendError(smtpError('EENVELOPE', 451))).toEqual({ code: 'smtp_451', retryable: true });
    expect(classifySendError(smtpError('EPROTOCOL', 421))).toEqual({ code: 'smtp_421', retryable: true });
    expect(classifySendError(smtpError('ECONNECTION'))).toEqual({ code: 'ECONNECTION', retryable: true });
    expect(classifySendError(smtpError('ETIMEDOUT'))).toEqual({ code: 'ETIMEDOUT', retryable: true });
    expect(classifySendError(smtpError('EAUTH', 535))).toEqual({ code: 'smtp_535', retryable: true });
  });

  it('gives up at once on a 5xx refusal of the envelope or the message, and on our own permanent errors', () => {
    expect(classifySendError(smtpError('EENVELOPE', 550))).toEqual({ code: 'smtp_550', retryable: false });
    expect(classifySendError(smtpError('EMESSAGE', 554))).toEqual({ code: 'smtp_554', retryable: false });
    expect(classifySendError(new PermanentMailError('render_failed'))).toEqual({ code: 'render_failed', retryable: false });
  });

  it('keeps only a code: never the reply text, which may quote the recipient', () => {
    const failure = classifySendError(smtpError('not a code: alice@example.com'));
    expect(failure).toEqual({ code: 'unknown', retryable: true });
    expect(JSON.stringify(classifySendError(smtpError('EENVELOPE', 550)))).not.toContain('alice');
  });
});
