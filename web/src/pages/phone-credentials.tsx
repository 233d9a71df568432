// The SIP credentials for any softphone (the secret masked until asked), and the other formats.
import { useEffect, useState } from 'preact/hooks';
import { call, download, getJson } from '../api.ts';
import { t } from '../i18n.ts';
import { Alert, Button, CopyButton, Section, useAction } from '../ui.tsx';

interface Credentials {
  username: string;
  password: string;
  domain: string;
  port: number;
  transport: string;
  display_name: string;
  auth_username: string;
  proxy: string | null;
  media_encryption: string;
}

/** Fetched only when the person asks: each delivery of the secret is recorded in their access log. */
export function CredentialsPanel({ onShown }: { onShown: () => void }) {
  const [credentials, setCredentials] = useState<Credentials>();
  const [revealed, setRevealed] = useState(false);
  const { run, busy, error } = useAction();
  const show = () =>
    run(async () => {
      setCredentials(await getJson<Credentials>('sip/credentials'));
      onShown();
    });
  const rows: [string, string][] = credentials
    ? [
        ['phone.username', credentials.username],
        ['phone.authUsername', credentials.auth_username],
        ['phone.domain', credentials.domain],
        ['phone.port', String(credentials.port)],
        ['phone.transport', credentials.transport.toUpperCase()],
        ['phone.proxy', credentials.proxy ?? t('phone.none')],
        ['phone.mediaEncryption', credentials.media_encryption],
        ['phone.displayName', credentials.display_name],
      ]
    : [];
  return (
    <Section id="credentials" title={t('phone.credentialsTitle')} intro={t('phone.credentialsIntro')}>
      <Alert message={error} />
      {credentials ? (
        <dl class="fields">
          {rows.map(([key, value]) => (
            <div key={key}>
              <dt>{t(key)}</dt>
              <dd><span class="value">{value}</span> <CopyButton text={value} name={t(key)} /></dd>
            </div>
          ))}
          <div>
            <dt>{t('phone.secret')}</dt>
            <dd>
              <span class="value" id="sip-secret">{revealed ? credentials.password : `•••••••• (${t('phone.secretHidden')})`}</span>{' '}
              <button type="button" class="secondary" aria-pressed={revealed} aria-controls="sip-secret" onClick={() => setRevealed(!revealed)}>
                {revealed ? t('phone.secretHide') : t('phone.secretShow')}
              </button>{' '}
              <CopyButton text={credentials.password} name={t('phone.secret')} />
            </dd>
          </div>
        </dl>
      ) : (
        <Button busy={busy} onClick={show}>{t('phone.credentialsShow')}</Button>
      )}
    </Section>
  );
}

const FORMATS = [
  ['linphone-xml', 'phone.formatLinphoneXml', 'linphone.xml'],
  ['acrobits', 'phone.formatAcrobits', 'acrobits.txt'],
  ['sessiontalk', 'phone.formatSessiontalk', 'sessiontalk.txt'],
  ['sip-uri', 'phone.formatSipUri', 'sip-uri.txt'],
] as const;

export function FormatsPanel({ onShown }: { onShown: () => void }) {
  const [format, setFormat] = useState<string>(FORMATS[0][0]);
  const [shown, setShown] = useState<{ format: string; text: string; qr?: string }>();
  const { run, busy, error } = useAction();
  const [, nameKey, fileName] = FORMATS.find(([name]) => name === format) ?? FORMATS[0];
  useEffect(() => () => void (shown?.qr && URL.revokeObjectURL(shown.qr)), [shown]);
  const show = () =>
    run(async () => {
      const text = await (await call(`sip/credentials/${format}`)).text();
      // The one-scan formats also come as a QR code; the Linphone XML goes through the provisioning link above.
      const qr = format === 'linphone-xml' ? undefined : URL.createObjectURL(await (await call(`sip/credentials/${format}/qr.svg`)).blob());
      setShown({ format, text, qr });
      onShown();
    });
  const save = () => run(async () => download(await call(`sip/credentials/${format}`), fileName));
  return (
    <Section id="formats" title={t('phone.formatsTitle')} intro={t('phone.formatsIntro')}>
      <div class="field">
        <label for="format">{t('phone.format')}</label>
        <select id="format" value={format} onChange={(event) => setFormat(event.currentTarget.value)}>
          {FORMATS.map(([name, key]) => <option key={name} value={name}>{t(key)}</option>)}
        </select>
      </div>
      <p class="buttons">
        <Button class="secondary" busy={busy} onClick={show}>{t('phone.formatShow')}</Button>
        <Button class="secondary" onClick={save}>{t('phone.formatDownload')}</Button>
      </p>
      <Alert message={error} />
      {shown && (
        <div class="field">
          <label for="format-text">{t('phone.formatText', { format: t(nameKey) })}</label>
          <textarea id="format-text" readOnly rows={shown.format === 'linphone-xml' ? 10 : 3} value={shown.text} />
          <CopyButton text={shown.text} name={t(nameKey)} />
          {shown.qr && <p class="qr-box"><img src={shown.qr} width={220} height={220} alt={t('phone.formatQrAlt', { format: t(nameKey) })} /></p>}
        </div>
      )}
    </Section>
  );
}
