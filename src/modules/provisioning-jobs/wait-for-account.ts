import type { EventEmitter } from 'node:events';
import type { SipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import type { SipAccountStatus } from '../sip-accounts/sip-accounts.table.ts';

const POLL_MS = 250;

/**
 * Resolves with the account's status once it leaves 'pending', or 'pending' after `timeoutMs`. This process's
 * worker announces changes on `accountEvents` at once; the database is polled too, since another instance's
 * worker may be the one that finishes the job.
 */
export function waitForAccountStatus({ accounts, accountEvents, accountId, timeoutMs }: {
  accounts: Pick<SipAccountsRepository, 'findById'>;
  accountEvents: EventEmitter;
  accountId: string;
  timeoutMs: number;
}): Promise<SipAccountStatus> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<SipAccountStatus>((resolve) => {
    let done = false;
    let poller: NodeJS.Timeout;
    const finish = (status: SipAccountStatus) => {
      if (done) return;
      done = true;
      accountEvents.off(accountId, onEvent);
      clearTimeout(poller);
      resolve(status);
    };
    const onEvent = (status: SipAccountStatus) => status !== 'pending' && finish(status);
    accountEvents.on(accountId, onEvent);
    const poll = async () => {
      const account = await accounts.findById(accountId).catch(() => undefined);
      if (account && account.status !== 'pending') return finish(account.status);
      const left = deadline - Date.now();
      if (left <= 0) return finish('pending');
      poller = setTimeout(poll, Math.min(POLL_MS, left));
    };
    poller = setTimeout(poll, Math.min(POLL_MS, timeoutMs));
  });
}
