// The page's frame (header, navigation, language switch) and its routes.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, describeProblem, getJson, logOut, onSignedOut, resumeSession } from './api.ts';
import { isLocale, locale, LOCALE_NAMES, LOCALES, setLocale, t, useLocale } from './i18n.ts';
import { AdminPage } from './pages/admin-page.tsx';
import { ForgotPasswordPage, LogInPage, SignUpPage } from './pages/auth-pages.tsx';
import { PhonePage } from './pages/phone-page.tsx';
import { navigate, usePath } from './router.ts';
import type { Settings } from './settings.ts';
import type { Me } from './types.ts';
import { Alert, Link, PageTitle } from './ui.tsx';

function LanguageSwitch({ signedIn }: { signedIn: boolean }) {
  const current = useLocale();
  const change = (next: string) => {
    if (!isLocale(next)) return;
    setLocale(next);
    // Signed in, the choice is the account's language too: its mails follow it. Only a preference: a failure is not worth an alert.
    if (signedIn) void call('auth/me', { method: 'PATCH', json: { locale: next } }).catch(() => undefined);
  };
  return (
    <div class="language">
      <label for="language">{t('app.language')}</label>
      <select id="language" value={current} onChange={(event) => change(event.currentTarget.value)}>
        {LOCALES.map((code) => <option key={code} value={code} lang={code}>{LOCALE_NAMES[code]}</option>)}
      </select>
    </div>
  );
}

function NotFound({ settings }: { settings: Settings }) {
  return (
    <>
      <PageTitle serviceName={settings.serviceName}>{t('app.notFoundTitle')}</PageTitle>
      <p>{t('app.notFound')}</p>
      <p><Link to="/">{t('app.goHome')}</Link></p>
    </>
  );
}

const PUBLIC_ONLY = ['/app/log-in', '/app/sign-up'];

export function App({ settings }: { settings: Settings }) {
  useLocale();
  const path = usePath();
  const [session, setSession] = useState<'unknown' | 'in' | 'out'>('unknown');
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const [isAdmin, setIsAdmin] = useState(false);
  const main = useRef<HTMLElement>(null);

  const signedIn = async () => {
    setSession('in');
    setNotice(undefined);
    // The admin view is offered to those the admin routes let in; anyone else gets a 403 here, and no link.
    void getJson('admin/users?limit=1').then(() => setIsAdmin(true), () => setIsAdmin(false));
    // The account's own language, once known, is the page's too (it is the language of its mails).
    const wanted = (await getJson<Me>('auth/me').catch(() => undefined))?.locale;
    if (isLocale(wanted) && wanted !== locale()) setLocale(wanted);
  };
  const signedOut = (message: string) => {
    setSession('out');
    setIsAdmin(false);
    setNotice(message);
    navigate('/app/log-in');
  };

  useEffect(() => {
    const stop = onSignedOut(() => signedOut(t('problems.not_authenticated')));
    resumeSession().then(
      (resumed) => (resumed ? signedIn() : setSession('out')),
      (problem) => {
        setError(describeProblem(problem));
        setSession('out');
      },
    );
    return stop;
  }, []);
  useEffect(() => {
    if (session === 'in' && PUBLIC_ONLY.includes(path)) navigate('/app/phone', { replace: true });
  }, [session, path]);

  const afterSignIn = () => {
    void signedIn();
    navigate('/app/phone');
  };
  const signOut = () => void logOut().finally(() => signedOut(t('app.signedOut')));
  const skip = (event: Event) => {
    event.preventDefault(); // "#main" would resolve against <base> and leave the page
    main.current?.focus();
  };

  const inside = session === 'in';
  const routes: Record<string, () => JSX.Element> = {
    '/': () => (inside ? <PhonePage settings={settings} onSignedOut={signedOut} /> : <LogInPage settings={settings} onSignedIn={afterSignIn} notice={notice} />),
    '/app/log-in': () => <LogInPage settings={settings} onSignedIn={afterSignIn} notice={notice} />,
    '/app/sign-up': () => <SignUpPage settings={settings} onSignedIn={afterSignIn} />,
    '/app/forgot-password': () => <ForgotPasswordPage settings={settings} />,
    '/app/phone': () => (inside ? <PhonePage settings={settings} onSignedOut={signedOut} /> : <LogInPage settings={settings} onSignedIn={afterSignIn} notice={notice} />),
    '/app/admin': () => (inside ? <AdminPage settings={settings} /> : <LogInPage settings={settings} onSignedIn={afterSignIn} notice={notice} />),
  };
  const page = session === 'unknown' ? <p>{t('app.loading')}</p> : (routes[path] ?? (() => <NotFound settings={settings} />))();
  const current = (to: string) => path === to || (to === '/app/phone' && path === '/');

  return (
    <>
      <a class="skip" href="#main" onClick={skip}>{t('app.skipToContent')}</a>
      <header class="top">
        <span class="brand">{settings.serviceName}</span>
        {inside && (
          <nav aria-label={t('app.mainNav')}>
            <Link to="/app/phone" current={current('/app/phone')}>{t('app.navPhone')}</Link>
            {isAdmin && <Link to="/app/admin" current={current('/app/admin')}>{t('app.navAdmin')}</Link>}
            <button type="button" class="secondary" onClick={signOut}>{t('app.signOut')}</button>
          </nav>
        )}
        <LanguageSwitch signedIn={inside} />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Alert message={error} />
        {page}
      </main>
    </>
  );
}
