/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so many jobs (or mails) that failed
 * together (the PBX or the SMTP server was down) do not all come back at the same instant.
 */
export function backoffDelayMs(attempt: number, { baseMs, maxMs }: { baseMs: number; maxMs: number }, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
