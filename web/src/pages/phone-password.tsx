// Changing the account's password: every other device is signed out, and this page carries on in a new session.
import { useState } from 'preact/hooks';
import { ApiError, changePassword } from '../api.ts';
import { t } from '../i18n.ts';
import type { Settings } from '../settings.ts';
import { Alert, Field, NewPasswordField, Section, Status, useAction } from '../ui.tsx';

export function PasswordPanel({ settings, onChanged }: { settings: Settings; onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<string>();
  const { run, busy, error, setError } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setDone(undefined);
    void run(async () => {
      try {
        await changePassword(current, next);
      } catch (problem) {
        // Here a 401 invalid_credentials is about the current password alone (the email is not asked).
        if (problem instanceof ApiError && problem.problem.code === 'invalid_credentials') return setError(t('phone.passwordWrong'));
        throw problem;
      }
      setCurrent('');
      setNext('');
      setDone(t('phone.passwordChanged'));
      onChanged();
    });
  };
  return (
    <Section id="password" title={t('phone.passwordTitle')} intro={t('phone.passwordIntro')}>
      <form onSubmit={submit}>
        <Field id="current-password" label={t('phone.passwordCurrent')} type="password" autoComplete="current-password" required maxLength={settings.passwordMax} value={current} setValue={setCurrent} />
        <NewPasswordField id="changed-password" label={t('phone.passwordNew')} settings={settings} value={next} setValue={setNext} />
        <Alert message={error} />
        <Status message={done} />
        <button type="submit" aria-disabled={busy ? 'true' : undefined}>{busy ? t('app.working') : t('phone.passwordAction')}</button>
      </form>
    </Section>
  );
}
