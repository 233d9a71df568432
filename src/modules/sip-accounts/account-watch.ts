import { EventEmitter } from 'node:events';
import type { SipAccountRow } from './sip-accounts.table.ts';

const POLL_MS = 250;

/**
 * The one way to wait for an account to reach a state (live after sign-up, a rotation's secret promoted).
 * This process's worker announces each change at once; the database is polled too, since another
 * instance's worker may be the one that finishes the job.
 */
export function createAccountWatch({ findById }: { findById: (id: string) => Promise<SipAccountRow | undefined> }) {
  const changes = new EventEmitter().setMaxListeners(0);
  return {
    announce(accountIds: string[]): void {
      for (const id of accountIds) changes.emit(id);
    },

    /**
     * Resolves with the account once `settled` holds for it, or with its last state read when `timeoutMs`
     * has passed (undefined when it no longer exists).
     */
    waitFor({ accountId, timeoutMs, settled }: {
      accountId: string;
      timeoutMs: number;
      settled: (account: SipAccountRow) => boolean | Promise<boolean>;
    }): Promise<SipAccountRow | undefined> {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        let checking = false;
        let again = false;
        let last: SipAccountRow | undefined;
        const finish = (account: SipAccountRow | undefined) => {
          changes.off(accountId, check);
          clearTimeout(timer);
          resolve(account);
        };
        async function check(): Promise<void> {
          if (checking) return void (again = true);
          checking = true;
          clearTimeout(timer);
          do {
            again = false;
            try {
              const account = await findById(accountId);
              if (!account) return finish(undefined);
              last = account;
              if (await settled(account)) return finish(account);
            } catch {
              // A database hiccup while waiting is no answer: look again at the next beat.
            }
          } while (again);
          checking = false;
          if (Date.now() >= deadline) return finish(last);
          timer = setTimeout(() => void check(), Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
        }
        changes.on(accountId, check);
        void check();
      });
    },
  };
}

export type AccountWatch = ReturnType<typeof createAccountWatch>;
