// "Your phone": the account's state, live, and everything to set a softphone up and look after the account.
import { useEffect, useState } from 'preact/hooks';
import { describeProblem, getJson } from '../api.ts';
import { t } from '../i18n.ts';
import type { Settings } from '../settings.ts';
import { isLive, stageOf, type Me, type Stage } from '../types.ts';
import { Alert, PageTitle } from '../ui.tsx';
import { AccessLogPanel, AccountPanel, SessionsPanel } from './phone-account.tsx';
import { CredentialsPanel, FormatsPanel } from './phone-credentials.tsx';
import { PasswordPanel } from './phone-password.tsx';
import { QrPanel } from './phone-qr.tsx';
import { RotatePanel } from './phone-rotate.tsx';
import { StatusPanel } from './phone-status.tsx';

// How often GET /auth/me is asked while something is expected to change (verification, the PBX creating the
// extension), and while the account is live (a phone registering); a settled state is asked rarely.
const POLL_MS: Record<Stage, number> = { verify: 2000, pending: 2000, none: 2000, active: 4000, registered: 15_000, failed: 15_000, disabled: 15_000, deleting: 15_000 };

/** The account, fetched now and then again and again, without a reload; at once when the tab comes back into view. */
function useMe(): { me?: Me; error?: string } {
  const [state, setState] = useState<{ me?: Me; error?: string }>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      clearTimeout(timer);
      let delay = 5000;
      try {
        const me = await getJson<Me>('auth/me');
        if (stopped) return;
        setState({ me });
        delay = POLL_MS[stageOf(me)];
      } catch (problem) {
        if (stopped) return;
        setState((before) => ({ ...before, error: describeProblem(problem) }));
      }
      timer = setTimeout(poll, document.hidden ? Math.max(delay, 30_000) : delay);
    };
    const visible = () => !document.hidden && void poll();
    document.addEventListener('visibilitychange', visible);
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visible);
    };
  }, []);
  return state;
}

export function PhonePage({ settings, onSignedOut }: { settings: Settings; onSignedOut: (notice: string) => void }) {
  const { me, error } = useMe();
  // Bumped by a rotation (new QR code, credentials shown afresh) and whenever the page is handed the secret.
  const [secretVersion, setSecretVersion] = useState(0);
  const [deliveries, setDeliveries] = useState(0);
  const delivered = () => setDeliveries((count) => count + 1);
  // Bumped by a password change, which signs every other device out: the list of sessions is read again.
  const [passwordChanges, setPasswordChanges] = useState(0);
  const stage = me ? stageOf(me) : undefined;
  return (
    <>
      <PageTitle serviceName={settings.serviceName}>{t('phone.title')}</PageTitle>
      {me && <p>{t('phone.signedInAs', { email: me.email })}</p>}
      <Alert message={error} />
      {me && stage && <StatusPanel me={me} stage={stage} />}
      {stage && isLive(stage) && (
        <>
          <QrPanel key={`qr${secretVersion}`} />
          <CredentialsPanel key={`credentials${secretVersion}`} onShown={delivered} />
          <FormatsPanel key={`formats${secretVersion}`} onShown={delivered} />
          <RotatePanel onRotated={() => setSecretVersion((version) => version + 1)} />
        </>
      )}
      {me && (
        <>
          <SessionsPanel key={`sessions${passwordChanges}`} onSignedOut={onSignedOut} />
          <PasswordPanel settings={settings} onChanged={() => setPasswordChanges((count) => count + 1)} />
          {stage && isLive(stage) && <AccessLogPanel version={deliveries} />}
          <AccountPanel passwordMax={settings.passwordMax} onDeleted={onSignedOut} />
        </>
      )}
    </>
  );
}
