// The admin's view: the users (search, disable and enable) and the comparison of the PBX with this service.
import { useEffect, useState } from 'preact/hooks';
import { call, getJson } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import type { Settings } from '../settings.ts';
import { statusKey } from '../types.ts';
import { Alert, Button, PageTitle, Section, Status, useAction } from '../ui.tsx';

interface AdminUser {
  id: string;
  email: string;
  display_name: string | null;
  sip_extension: string | null;
  account_status: string | null;
  disabled: boolean;
  registered_at: string | null;
  registered_user_agent: string | null;
}

/** The filter's choice of the live accounts no phone has registered with yet: the list an operator most wants. */
const NO_PHONE = 'no_phone';
/** The status filter: GET /admin/users's statuses (`none`: no account; `registered`: live, a phone registered) and NO_PHONE. */
const STATUSES = ['pending', 'active', 'registered', NO_PHONE, 'failed', 'awaiting_verification', 'disabled', 'deleting', 'none'];
const filterParams = (choice: string): Record<string, string> => (choice === NO_PHONE ? { status: 'active', registered: 'false' } : choice ? { status: choice } : {});
const statusLabel = (choice: string) => (choice === NO_PHONE ? t('admin.statusNoPhone') : t(statusKey(choice === 'none' ? null : choice)));

/** When a phone first registered with the account, and with which User-Agent (on a second line); `—` if none yet. */
function Registration({ user }: { user: AdminUser }) {
  if (!user.registered_at) return <>—</>;
  return (
    <>
      <time dateTime={user.registered_at}>{formatTime(user.registered_at)}</time>
      {user.registered_user_agent && <div class="hint value">{user.registered_user_agent}</div>}
    </>
  );
}

function UsersPanel() {
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [users, setUsers] = useState<AdminUser[]>();
  const [next, setNext] = useState<string | null>(null);
  const [done, setDone] = useState<string>();
  const { run, busy, error } = useAction();
  const load = (cursor?: string) =>
    run(async () => {
      const params = new URLSearchParams({ limit: '20', ...filterParams(status) });
      if (query.trim()) params.set('query', query.trim());
      if (cursor) params.set('cursor', cursor);
      const page = await getJson<{ items: AdminUser[]; next_cursor: string | null }>(`admin/users?${params}`);
      setUsers((before) => (cursor ? [...(before ?? []), ...page.items] : page.items));
      setNext(page.next_cursor);
    });
  useEffect(() => void load(), []);
  const toggle = (user: AdminUser) =>
    run(async () => {
      const answer = (await (await call(`admin/users/${user.id}/${user.disabled ? 'enable' : 'disable'}`, { method: 'POST' })).json()) as { disabled: boolean; account_status: string | null };
      // An enable forgets the registration seen with the old secret (the service clears it in the same step).
      const registration = answer.disabled ? {} : { registered_at: null, registered_user_agent: null };
      setUsers((before) => before?.map((row) => (row.id === user.id ? { ...row, ...registration, disabled: answer.disabled, account_status: answer.account_status } : row)));
      setDone(t(answer.disabled ? 'admin.disabledDone' : 'admin.enabledDone', { email: user.email }));
    });
  const search = (event: Event) => {
    event.preventDefault();
    void load();
  };
  return (
    <Section id="users" title={t('admin.usersTitle')}>
      <form class="search" role="search" onSubmit={search}>
        <div class="field">
          <label for="user-query">{t('admin.search')}</label>
          <input id="user-query" type="search" maxLength={100} value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="user-status">{t('admin.status')}</label>
          <select id="user-status" value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            <option value="">{t('admin.statusAny')}</option>
            {STATUSES.map((name) => <option key={name} value={name}>{statusLabel(name)}</option>)}
          </select>
        </div>
        <button type="submit">{t('admin.searchAction')}</button>
      </form>
      <Alert message={error} />
      <Status message={done} />
      {users && users.length === 0 && <p>{t('admin.noUsers')}</p>}
      {users && users.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="users-title">
          <table>
            <thead>
              <tr><th scope="col">{t('admin.email')}</th><th scope="col">{t('admin.name')}</th><th scope="col">{t('admin.number')}</th><th scope="col">{t('admin.account')}</th><th scope="col">{t('admin.registered')}</th><th scope="col">{t('admin.actions')}</th></tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <td class="value">{user.email}</td>
                  <td>{user.display_name ?? ''}</td>
                  <td>{user.sip_extension ?? ''}</td>
                  <td>{t(statusKey(user.account_status))}{user.disabled ? ` (${t('admin.disabled')})` : ''}</td>
                  <td><Registration user={user} /></td>
                  <td>
                    <button type="button" class={user.disabled ? 'secondary' : 'danger'} aria-label={t(user.disabled ? 'admin.enableNamed' : 'admin.disableNamed', { email: user.email })} onClick={() => toggle(user)}>
                      {t(user.disabled ? 'admin.enable' : 'admin.disable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <Button class="secondary" busy={busy} onClick={() => load(next)}>{t('admin.more')}</Button>}
    </Section>
  );
}

type Report = Record<'missing_on_pbx' | 'secret_drift' | 'orphans_on_pbx' | 'foreign' | 'in_flight', { extension: string }[]> & { pbx_accounts: number; accounts: number; jobs_queued: number; fixed: boolean };

function ReconcilePanel() {
  const [report, setReport] = useState<Report>();
  const { run, busy, error } = useAction();
  const compare = (fix: boolean) => run(async () => setReport((await (await call('admin/reconcile', { json: { fix } })).json()) as Report));
  const lists = [
    ['admin.reportMissing', 'missing_on_pbx'],
    ['admin.reportDrift', 'secret_drift'],
    ['admin.reportOrphans', 'orphans_on_pbx'],
    ['admin.reportForeign', 'foreign'],
    ['admin.reportInFlight', 'in_flight'],
  ] as const;
  return (
    <Section id="reconcile" title={t('admin.reconcileTitle')} intro={t('admin.reconcileIntro')}>
      <p class="buttons">
        <Button busy={busy} onClick={() => compare(false)}>{t('admin.reconcileAction')}</Button>
        <Button class="danger" busy={busy} onClick={() => compare(true)}>{t('admin.reconcileFix')}</Button>
      </p>
      <Alert message={error} />
      {report && (
        <dl class="fields report" aria-live="polite">
          <div><dt>{t('admin.reportPbxAccounts')}</dt><dd>{report.pbx_accounts}</dd></div>
          <div><dt>{t('admin.reportAccounts')}</dt><dd>{report.accounts}</dd></div>
          {lists.map(([key, field]) => (
            <div key={field}><dt>{t(key)}</dt><dd>{report[field].length ? report[field].map((item) => item.extension).join(', ') : t('admin.reportNone')}</dd></div>
          ))}
          {report.fixed && <div><dt>{t('admin.reportJobs')}</dt><dd>{report.jobs_queued}</dd></div>}
        </dl>
      )}
    </Section>
  );
}

export function AdminPage({ settings }: { settings: Settings }) {
  return (
    <>
      <PageTitle serviceName={settings.serviceName}>{t('admin.title')}</PageTitle>
      <UsersPanel />
      <ReconcilePanel />
    </>
  );
}
