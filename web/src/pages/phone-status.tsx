// The account's way from sign-up to a registered phone, kept up to date by the page's poll of GET /auth/me.
import { call } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import type { Me, Stage } from '../types.ts';
import { Alert, Button, Section, Status, useAction } from '../ui.tsx';
import { useState } from 'preact/hooks';

function stateText(me: Me, stage: Stage): string {
  const account = me.sip_account;
  const extension = account?.extension ?? '';
  switch (stage) {
    case 'verify':
      return t('phone.verifyIntro', { email: me.email });
    case 'pending':
      return t('phone.statePending', { extension });
    case 'active':
      return t('phone.stateActive', { extension });
    case 'registered': {
      const since = account?.registered_at ? ` ${account.user_agent ? t('phone.registeredWith', { time: formatTime(account.registered_at), userAgent: account.user_agent }) : t('phone.registeredSince', { time: formatTime(account.registered_at) })}` : '';
      return `${t('phone.stateRegistered', { extension })}${since}`;
    }
    case 'failed':
      return account?.last_error ? t('phone.stateFailed', { reason: account.last_error }) : t('phone.stateFailedNoReason');
    case 'disabled':
      return t('phone.stateDisabled');
    case 'deleting':
      return t('phone.stateDeleting');
    default:
      return t('phone.stateNone');
  }
}

type StepState = 'done' | 'current' | 'todo';

/** Where the service cannot see registrations, no step waits for one (a registered account from before still shows it). */
const registrationShown = (me: Me, stage: Stage): boolean => me.registration_reported || stage === 'registered';

function Steps({ me, stage }: { me: Me; stage: Stage }) {
  const created = stage === 'active' || stage === 'registered';
  const steps: [string, StepState][] = [
    ['phone.stepVerified', me.email_verified ? 'done' : 'current'],
    ['phone.stepCreated', created ? 'done' : me.email_verified || stage === 'pending' ? 'current' : 'todo'],
  ];
  if (registrationShown(me, stage)) steps.push(['phone.stepRegistered', stage === 'registered' ? 'done' : created ? 'current' : 'todo']);
  const label = { done: 'phone.stepDone', current: 'phone.stepCurrent', todo: 'phone.stepTodo' };
  return (
    <ol class="steps">
      {steps.map(([key, state]) => (
        <li key={key} class={`step ${state}`} aria-current={state === 'current' ? 'step' : undefined}>
          <span class="mark" aria-hidden="true">{state === 'done' ? '✓' : state === 'current' ? '…' : ''}</span>
          {t(key)} <span class="visually-hidden">({t(label[state])})</span>
        </li>
      ))}
    </ol>
  );
}

export function StatusPanel({ me, stage }: { me: Me; stage: Stage }) {
  const [resent, setResent] = useState<string>();
  const { run, busy, error } = useAction();
  const resend = () =>
    run(async () => {
      await call('auth/resend-verification', { auth: false, json: { email: me.email } });
      setResent(t('phone.resent'));
    });
  return (
    <Section id="status" title={stage === 'verify' ? t('phone.verifyTitle') : t('phone.statusTitle')}>
      <div data-stage={stage} class="status">
        <Steps me={me} stage={stage} />
        <p role="status" class="state">{stateText(me, stage)}</p>
        {stage === 'active' && !registrationShown(me, stage) && <p class="hint">{t('phone.registrationUnseen')}</p>}
        {!me.email_verified && stage !== 'verify' && <p>{t('phone.verifyNotice', { email: me.email })}</p>}
        {!me.email_verified && (
          <p>
            <Button class="secondary" busy={busy} onClick={resend}>{t('phone.resend')}</Button>
          </p>
        )}
        <Status message={resent} />
        <Alert message={error} />
        <p class="hint">{t('phone.live')}</p>
      </div>
    </Section>
  );
}
