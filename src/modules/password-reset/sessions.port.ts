import type { Transaction } from '../../db/database.ts';

/**
 * Ends every session of the user (refresh tokens and the access tokens issued with them), inside `tx` so it
 * commits with the new password. Implemented by the sessions module and wired in dependencies.ts.
 */
export type EndAllSessions = (userId: string, tx: Transaction) => Promise<void>;
