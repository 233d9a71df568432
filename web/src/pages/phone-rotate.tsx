// Rotating the SIP secret, after a question; followed until the PBX has the new one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, getJson } from '../api.ts';
import { t } from '../i18n.ts';
import { Alert, Section, Status, useAction } from '../ui.tsx';

interface Rotation {
  status: 'pending' | 'active' | 'failed';
  secret_version: number;
}

export function RotatePanel({ onRotated }: { onRotated: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const { run, busy, error } = useAction();
  // Keyboard focus follows the question and comes back to the button after it, rather than falling to the page.
  const yes = useRef<HTMLButtonElement>(null);
  const action = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) yes.current?.focus();
    else if (asked.current) action.current?.focus();
    asked.current ||= confirming;
  }, [confirming]);
  const rotate = () =>
    run(async () => {
      setConfirming(false);
      let state = (await (await call('sip/credentials/rotate', { method: 'POST' })).json()) as Rotation;
      // Pending: the old secret works until the PBX has the new one; follow the rotation until it is live.
      while (state.status === 'pending') {
        setDone(t('phone.rotatePending', { version: state.secret_version }));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        state = await getJson<Rotation>('sip/credentials/rotation');
      }
      if (state.status === 'failed') throw new ApiError({ status: 502, code: 'secret_rotation_refused', detail: '' });
      setDone(t('phone.rotateDone', { version: state.secret_version }));
      onRotated();
    });
  return (
    <Section id="rotate" title={t('phone.rotateTitle')} intro={t('phone.rotateIntro')}>
      <Status message={done} />
      <Alert message={error} />
      {confirming ? (
        <div class="confirm">
          <p>{t('phone.rotateConfirm')}</p>
          <p class="buttons">
            <button type="button" class="danger" ref={yes} onClick={rotate}>{t('phone.rotateYes')}</button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>{t('app.cancel')}</button>
          </p>
        </div>
      ) : (
        <button type="button" ref={action} aria-disabled={busy ? 'true' : undefined} onClick={() => !busy && setConfirming(true)}>
          {busy ? t('app.working') : t('phone.rotateAction')}
        </button>
      )}
    </Section>
  );
}
