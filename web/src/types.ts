/** GET /auth/me, with the fields of the registration state (`registered`, registered_at, user_agent) where the service has them. */
export interface Me {
  id: string;
  email: string;
  display_name: string;
  email_verified: boolean;
  locale: string | null;
  /** Whether the service sees phones register at all; false: `registered` never comes, so the page does not wait for it. */
  registration_reported: boolean;
  sip_account: {
    extension: string;
    status: string;
    last_error: string | null;
    activated_at: string | null;
    registered_at?: string | null;
    user_agent?: string | null;
  } | null;
}

/** Where the account is on its way: verify → created → registered, or off that way. */
export type Stage = 'verify' | 'pending' | 'active' | 'registered' | 'failed' | 'disabled' | 'deleting' | 'none';

export function stageOf(me: Me): Stage {
  const account = me.sip_account;
  if (!account) return 'none';
  if (account.status === 'registered' || (account.status === 'active' && account.registered_at)) return 'registered';
  if (account.status === 'awaiting_verification') return 'verify';
  if (['pending', 'active', 'failed', 'disabled', 'deleting'].includes(account.status)) return account.status as Stage;
  return 'pending';
}

/** The phone can be set up: the extension is live on the PBX. */
export const isLive = (stage: Stage): boolean => stage === 'active' || stage === 'registered';

/** The status label key in the catalogue (phone.status…) for an account status as the API spells it. */
export function statusKey(status: string | null): string {
  if (!status) return 'phone.statusNone';
  const camel = status.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  return `phone.status${camel.charAt(0).toUpperCase()}${camel.slice(1)}`;
}
