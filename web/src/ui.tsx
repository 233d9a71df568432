// The page's building blocks: labelled fields, alerts read out by screen readers, copy buttons, sections.
import type { ButtonHTMLAttributes, ComponentChildren, InputHTMLAttributes } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { appUrl, describeProblem } from './api.ts';
import { t } from './i18n.ts';
import { navigate } from './router.ts';
import type { Settings } from './settings.ts';

/** A link inside the page: a real href (new tab, copy link work), followed without a reload. */
export function Link({ to, children, class: className, current }: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  const follow = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={appUrl(to)} onClick={follow} class={className} aria-current={current ? 'page' : undefined}>{children}</a>;
}

/** A page's heading, which takes the focus when the page changes (so a screen reader announces the new page). */
export function PageTitle({ children, serviceName }: { children: string; serviceName: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => void (document.title = `${children} · ${serviceName}`), [children]);
  return <h1 tabIndex={-1} ref={heading}>{children}</h1>;
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'label' | 'value' | 'id'>;

/** A text input with its label, an optional hint (tied by aria-describedby), and the value in a state. */
export function Field({ id, label, hint, value, setValue, ...input }: InputProps & { id: string; label: string; hint?: string; value: string; setValue: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} name={id} value={value} onInput={(event) => setValue(event.currentTarget.value)} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

/** A password being chosen, with the service's length limits and the hint that says them. */
export function NewPasswordField({ id, label, settings, value, setValue }: { id: string; label: string; settings: Settings; value: string; setValue: (value: string) => void }) {
  return (
    <Field
      id={id}
      label={label}
      hint={t('app.passwordHint', { min: settings.passwordMin })}
      type="password"
      autoComplete="new-password"
      required
      minLength={settings.passwordMin}
      maxLength={settings.passwordMax}
      value={value}
      setValue={setValue}
    />
  );
}

export function Alert({ message }: { message?: string }) {
  return message ? <p class="alert" role="alert">{message}</p> : null;
}

/** A polite live region: always in the page, so that what is put in it later is announced. */
export function Status({ message, class: className = 'notice' }: { message?: string; class?: string }) {
  return <p class={message ? className : 'visually-hidden'} role="status">{message ?? ''}</p>;
}

/**
 * An action that calls the API: `busy` while it runs, and its problem in words. A button pressed again while
 * busy does nothing.
 */
export function useAction(): { run: (task: () => Promise<void>) => Promise<void>; busy: boolean; error?: string; setError: (error?: string) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (task: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await task();
    } catch (problem) {
      setError(describeProblem(problem));
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

export function Button({ busy, children, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean }) {
  return (
    <button type="button" aria-disabled={busy ? 'true' : undefined} {...props}>
      {busy ? t('app.working') : children}
    </button>
  );
}

/** Copies `text` with the Clipboard API, or (a page over plain http has none) through a selected text area. */
export function CopyButton({ text, name }: { text: string; name: string }) {
  const [done, setDone] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(t('app.copied'));
    } catch {
      const area = Object.assign(document.createElement('textarea'), { value: text, readOnly: true });
      document.body.append(area);
      area.select();
      const copied = document.execCommand('copy');
      area.remove();
      setDone(copied ? t('app.copied') : t('app.copySelected'));
    }
    setTimeout(() => setDone(undefined), 4000);
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={copy} aria-label={t('app.copyNamed', { name })}>{t('app.copy')}</button>
      <span role="status" class="copied">{done ?? ''}</span>
    </span>
  );
}

export function Section({ id, title, intro, children }: { id: string; title: string; intro?: string; children: ComponentChildren }) {
  return (
    <section class="card" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {intro && <p class="hint">{intro}</p>}
      {children}
    </section>
  );
}
