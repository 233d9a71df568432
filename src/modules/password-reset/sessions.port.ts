import type { Transaction } from '../../db/database.ts';

/**
 * The sessions module as a password reset needs it (implemented in `modules/auth`, wired in dependencies.ts):
 * `endAll` ends every session of the user inside `tx`, so they end when the new password commits (every instance
 * learns through NOTIFY); `forget` then drops them from this instance's cache at once.
 */
export interface SessionsEnding {
  endAll(userId: string, reason: 'password_reset', tx: Transaction): Promise<string[]>;
  forget(sessionIds: readonly string[]): void;
}
