// Signing in, signing up and asking for a new password. The mailed links (verification, reset) open the
// service's own pages (/auth/verify-email, /auth/reset-password), which work with no script at all.
import { useState } from 'preact/hooks';
import { call, logIn } from '../api.ts';
import { locale, t } from '../i18n.ts';
import type { Settings } from '../settings.ts';
import { Alert, Field, Link, NewPasswordField, PageTitle, Status, useAction } from '../ui.tsx';

export function LogInPage({ settings, onSignedIn, notice }: { settings: Settings; onSignedIn: () => void; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { run, busy, error } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await logIn(email.trim(), password);
      onSignedIn();
    });
  };
  return (
    <>
      <PageTitle serviceName={settings.serviceName}>{t('app.logInTitle')}</PageTitle>
      <Status message={notice} />
      <p>{t('app.logInIntro')}</p>
      <form class="card" onSubmit={submit}>
        <Field id="email" label={t('app.email')} type="email" autoComplete="username" required value={email} setValue={setEmail} />
        <Field id="password" label={t('app.password')} type="password" autoComplete="current-password" required maxLength={settings.passwordMax} value={password} setValue={setPassword} />
        <Alert message={error} />
        <button type="submit" aria-disabled={busy ? 'true' : undefined}>{busy ? t('app.working') : t('app.logInAction')}</button>
      </form>
      <p>{t('app.noAccount')} <Link to="/app/sign-up">{t('app.signUpLink')}</Link></p>
      <p><Link to="/app/forgot-password">{t('app.forgotLink')}</Link></p>
    </>
  );
}

export function SignUpPage({ settings, onSignedIn }: { settings: Settings; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const { run, busy, error } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const displayName = name.trim();
      await call('auth/register', { auth: false, json: { email: email.trim(), password, locale: locale(), ...(displayName ? { display_name: displayName } : {}) } });
      await logIn(email.trim(), password);
      onSignedIn();
    });
  };
  return (
    <>
      <PageTitle serviceName={settings.serviceName}>{t('app.signUpTitle')}</PageTitle>
      <p>{t('app.signUpIntro')}</p>
      <form class="card" onSubmit={submit}>
        <Field id="email" label={t('app.email')} type="email" autoComplete="email" required value={email} setValue={setEmail} />
        <Field id="display-name" label={t('app.displayName')} hint={t('app.displayNameHint')} autoComplete="name" maxLength={100} value={name} setValue={setName} />
        <NewPasswordField id="new-password" label={t('app.password')} settings={settings} value={password} setValue={setPassword} />
        <Alert message={error} />
        <button type="submit" aria-disabled={busy ? 'true' : undefined}>{busy ? t('app.working') : t('app.signUpAction')}</button>
      </form>
      <p>{t('app.haveAccount')} <Link to="/app/log-in">{t('app.logInLink')}</Link></p>
    </>
  );
}

export function ForgotPasswordPage({ settings }: { settings: Settings }) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string>();
  const { run, busy, error } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await call('auth/forgot-password', { auth: false, json: { email: email.trim() } });
      setSent(t('app.forgotSent', { email: email.trim() }));
    });
  };
  return (
    <>
      <PageTitle serviceName={settings.serviceName}>{t('app.forgotTitle')}</PageTitle>
      <p>{t('app.forgotIntro')}</p>
      <form class="card" onSubmit={submit}>
        <Field id="email" label={t('app.email')} type="email" autoComplete="email" required value={email} setValue={setEmail} />
        <Alert message={error} />
        <Status message={sent} />
        <button type="submit" aria-disabled={busy ? 'true' : undefined}>{busy ? t('app.working') : t('app.forgotAction')}</button>
      </form>
      <p><Link to="/app/log-in">{t('app.backToLogIn')}</Link></p>
    </>
  );
}
