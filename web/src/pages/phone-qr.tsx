// A fresh one-time provisioning link as a QR code for Linphone, with the time it has left.
import { useEffect, useState } from 'preact/hooks';
import { appUrl, call } from '../api.ts';
import { t } from '../i18n.ts';
import { Alert, Button, CopyButton, Section, Status, useAction } from '../ui.tsx';

interface ProvisioningLink {
  url: string;
  expires_at: string;
  deep_link: string;
}

/** Seconds as m:ss. */
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

function useSecondsLeft(until: string | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!until) return undefined;
    setNow(Date.now()); // from the moment the link arrived, not from the panel's first render
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until ? Math.max(0, Math.ceil((Date.parse(until) - now) / 1000)) : 0;
}

export function QrPanel() {
  const [link, setLink] = useState<ProvisioningLink>();
  const { run, busy, error } = useAction();
  const make = () =>
    run(async () => {
      setLink((await (await call('sip/provisioning-links', { method: 'POST' })).json()) as ProvisioningLink);
    });
  useEffect(() => void make(), []);
  const left = useSecondsLeft(link?.expires_at);
  // The image from this origin (the link's own address may name another host, PUBLIC_BASE_URL, than the one browsing).
  const token = link?.url.split('/').pop();
  return (
    <Section id="qr" title={t('phone.qrTitle')} intro={t('phone.qrIntro')}>
      <Alert message={error} />
      {link && token && left > 0 && (
        <>
          <p class="qr-box">
            <img id="provisioning-qr" src={appUrl(`provisioning/${encodeURIComponent(token)}/qr.svg`)} width={264} height={264} alt={t('phone.qrAlt')} />
          </p>
          <p>{t('phone.qrExpiresIn', { time: clock(left) })}</p>
          <p class="label">{t('phone.qrAddress')}</p>
          <p><code class="address" id="provisioning-address">{link.url}</code> <CopyButton text={link.url} name={t('phone.qrAddress')} /></p>
          <p class="hint"><a href={link.deep_link}>{t('phone.qrOpenOnPhone')}</a></p>
        </>
      )}
      <Status message={link && left === 0 ? t('phone.qrExpired') : undefined} />
      <p>
        <Button class="secondary" busy={busy} onClick={make}>{link ? t('phone.qrNew') : t('phone.qrMake')}</Button>
      </p>
    </Section>
  );
}
