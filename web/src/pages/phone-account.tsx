// Where the person is signed in, who was handed their SIP secret, and their account: export, deletion.
import { useEffect, useState } from 'preact/hooks';
import { call, download, getJson, logOut } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { Alert, Button, Field, Section, Status, useAction } from '../ui.tsx';

interface Session {
  id: string;
  last_used_at: string;
  ip_address: string | null;
  user_agent: string | null;
  current: boolean;
}

export function SessionsPanel({ onSignedOut }: { onSignedOut: (notice: string) => void }) {
  const [sessions, setSessions] = useState<Session[]>([]);
  const [ended, setEnded] = useState<string>();
  const { run, busy, error } = useAction();
  const load = () => run(async () => setSessions((await getJson<{ sessions: Session[] }>('auth/sessions')).sessions));
  useEffect(() => void load(), []);
  const end = (id: string) =>
    run(async () => {
      await call(`auth/sessions/${id}`, { method: 'DELETE' });
      setEnded(t('phone.sessionEnded'));
      setSessions((await getJson<{ sessions: Session[] }>('auth/sessions')).sessions);
    });
  const everywhere = () =>
    run(async () => {
      await logOut(true);
      onSignedOut(t('app.signedOutEverywhere'));
    });
  return (
    <Section id="sessions" title={t('phone.sessionsTitle')}>
      <Alert message={error} />
      <Status message={ended} />
      <ul class="sessions">
        {sessions.map((session) => {
          const device = session.user_agent ?? t('phone.sessionUnknown');
          return (
            <li key={session.id}>
              <span class="value">{device}</span>
              {session.current && <strong> ({t('phone.sessionThis')})</strong>}
              <br />
              <span class="hint">{t('phone.sessionDetail', { time: formatTime(session.last_used_at), address: session.ip_address ?? '?' })}</span>
              {!session.current && (
                <>
                  {' '}
                  <button type="button" class="secondary" aria-label={t('phone.sessionSignOutNamed', { device })} onClick={() => end(session.id)}>
                    {t('phone.sessionSignOut')}
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
      <Button class="secondary" busy={busy} onClick={everywhere}>{t('phone.signOutEverywhere')}</Button>
    </Section>
  );
}

interface AccessEntry {
  accessed_at: string;
  channel: string;
  address: string;
  user_agent: string | null;
  count: number;
}

/** `version` changes when the page itself was handed the secret, so the list shows that delivery too. */
export function AccessLogPanel({ version }: { version: number }) {
  const [entries, setEntries] = useState<AccessEntry[]>();
  const [next, setNext] = useState<string | null>(null);
  const { run, busy, error } = useAction();
  const load = (cursor?: string) =>
    run(async () => {
      const page = await getJson<{ items: AccessEntry[]; next_cursor: string | null }>(`sip/credentials/access-log?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      setEntries((before) => (cursor ? [...(before ?? []), ...page.items] : page.items));
      setNext(page.next_cursor);
    });
  useEffect(() => void load(), [version]);
  return (
    <Section id="access-log" title={t('phone.accessTitle')} intro={t('phone.accessIntro')}>
      <Alert message={error} />
      {entries && entries.length === 0 && <p>{t('phone.accessEmpty')}</p>}
      {entries && entries.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="access-log-title">
          <table>
            <thead>
              <tr><th scope="col">{t('phone.accessWhen')}</th><th scope="col">{t('phone.accessChannel')}</th><th scope="col">{t('phone.accessAddress')}</th><th scope="col">{t('phone.accessUserAgent')}</th><th scope="col">{t('phone.accessCount')}</th></tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={`${entry.accessed_at}${entry.channel}${entry.address}`}>
                  <td>{formatTime(entry.accessed_at)}</td><td>{entry.channel}</td><td>{entry.address}</td><td class="value">{entry.user_agent ?? '?'}</td><td>{entry.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="buttons">
        {next && <Button class="secondary" busy={busy} onClick={() => load(next)}>{t('phone.accessMore')}</Button>}
        <Button class="secondary" busy={busy} onClick={() => load()}>{t('phone.accessRefresh')}</Button>
      </p>
    </Section>
  );
}

export function AccountPanel({ passwordMax, onDeleted }: { passwordMax: number; onDeleted: (notice: string) => void }) {
  const [password, setPassword] = useState('');
  const exporting = useAction();
  const deleting = useAction();
  const exportData = () => exporting.run(async () => download(await call('auth/me/export'), 'account-export.json'));
  const remove = (event: Event) => {
    event.preventDefault();
    void deleting.run(async () => {
      await call('auth/me', { method: 'DELETE', json: { password } });
      // Every session of the account is ended with it; the cookie's token is refused (and dropped) from now on.
      await logOut().catch(() => undefined);
      onDeleted(t('phone.deleted'));
    });
  };
  return (
    <Section id="account" title={t('phone.accountTitle')}>
      <p>{t('phone.exportIntro')}</p>
      <Alert message={exporting.error} />
      <Button class="secondary" busy={exporting.busy} onClick={exportData}>{t('phone.exportAction')}</Button>
      <h3>{t('phone.deleteTitle')}</h3>
      <p>{t('phone.deleteIntro')}</p>
      <form onSubmit={remove}>
        <Field id="delete-password" label={t('phone.deletePassword')} type="password" autoComplete="current-password" required maxLength={passwordMax} value={password} setValue={setPassword} />
        <Alert message={deleting.error} />
        <button type="submit" class="danger" aria-disabled={deleting.busy ? 'true' : undefined}>{deleting.busy ? t('app.working') : t('phone.deleteAction')}</button>
      </form>
    </Section>
  );
}
