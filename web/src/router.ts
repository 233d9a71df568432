// The page's routes are paths under its base (`/`, `/app/sign-up`, …): the service answers each with the same
// document, and history.pushState moves between them without a reload.
import { useEffect, useState } from 'preact/hooks';
import { appUrl } from './api.ts';

const basePath = () => new URL(document.baseURI).pathname;

/** The path after the base, with a leading slash: `/`, `/app/phone`. */
export function currentPath(): string {
  const path = location.pathname;
  const base = basePath();
  return path.startsWith(base) ? `/${path.slice(base.length)}`.replace(/\/+$/, '') || '/' : path;
}

const listeners = new Set<() => void>();

export function navigate(to: string, { replace = false } = {}): void {
  const url = appUrl(to);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

/** The current path; re-renders on navigation and on the browser's back and forward buttons. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}
