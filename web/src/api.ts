// Every call of the page to the API. The access token lives in this module's memory only; the refresh
// token never reaches the script at all: with `X-Refresh-Cookie: 1` the service keeps it in an HttpOnly,
// SameSite=Strict cookie sent only to POST auth/refresh. A reload therefore starts with a refresh.
import { hasText, t } from './i18n.ts';

/** An API answer from 400 up, as its problem document (application/problem+json) says; `network` when nothing came back. */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  request_id?: string;
  errors?: { field: string; message: string }[];
  retryAfter?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.code);
  }
}

/** An address under the page's base (PUBLIC_BASE_URL's path, from the document's <base>). */
export const appUrl = (path: string): string => new URL(path.replace(/^\//, ''), document.baseURI).toString();

const COOKIE_HEADER = { 'x-refresh-cookie': '1' };
let accessToken: string | undefined;
const CHANGE_PASSWORD = 'auth/change-password';
/** A password change under way (its answer brings the new session's tokens). */
let changing: Promise<void> | undefined;
const signedOutListeners = new Set<() => void>();

/** Called whenever the session is found to be over (refused refresh, sign-out). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => void signedOutListeners.delete(listener);
}

async function problemOf(response: Response): Promise<ApiError> {
  const fallback: Problem = { status: response.status, code: 'unknown', detail: `${response.status} ${response.statusText}` };
  const body = /json/.test(response.headers.get('content-type') ?? '') ? ((await response.json().catch(() => undefined)) as Partial<Problem> | undefined) : undefined;
  return new ApiError({ ...fallback, ...body, retryAfter: response.headers.get('retry-after') ?? undefined });
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(appUrl(path), { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch {
    throw new ApiError({ status: 0, code: 'network', detail: '' });
  }
}

// One refresh at a time, across the tabs of this origin too (Web Locks, where the browser has them): a refresh
// token works once, and the same one presented twice ends the session.
let refreshing: Promise<boolean> | undefined;
function refreshOnce(): Promise<boolean> {
  if (refreshing) return refreshing;
  const run = async () => {
    const response = await send('auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json', ...COOKIE_HEADER }, body: '{}' });
    if (response.ok) {
      accessToken = ((await response.json()) as { access_token: string }).access_token;
      return true;
    }
    if (response.status === 401 || response.status === 403) {
      accessToken = undefined;
      return false;
    }
    throw await problemOf(response);
  };
  // Web Locks exist in secure contexts only (https, localhost): elsewhere one tab cannot wait for another.
  const locks: LockManager | undefined = (navigator as { locks?: LockManager }).locks;
  // (The lib types the lock's answer as a promise of the callback's promise; the browser flattens it, as does `then`.)
  const task = locks ? locks.request('voip-onboarding-refresh', run).then((answer) => answer) : run();
  const started = task.finally(() => {
    refreshing = undefined;
  });
  refreshing = started;
  return started;
}

/** Resumes the session of the cookie, if there is one: true when signed in. */
export const resumeSession = (): Promise<boolean> => refreshOnce();

export interface CallOptions {
  method?: string;
  json?: unknown;
  /** Sends the access token (and refreshes it once on a 401). */
  auth?: boolean;
  cookie?: boolean;
}

/** One API call; a problem answer throws ApiError. */
export async function call(path: string, { method, json, auth = true, cookie = false }: CallOptions = {}, retried = false): Promise<Response> {
  const headers: Record<string, string> = { ...(cookie ? COOKIE_HEADER : {}) };
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (auth && accessToken) headers.authorization = `Bearer ${accessToken}`;
  const sentWith = accessToken;
  const response = await send(path, { method: method ?? (json === undefined ? 'GET' : 'POST'), headers, body: json === undefined ? undefined : JSON.stringify(json) });
  if (response.ok) return response;
  const error = await problemOf(response);
  // Only an expired or ended access token is worth a refresh: a wrong password (401 invalid_credentials) is not.
  if (error.problem.code === 'not_authenticated' && auth && !retried) {
    // A password change under way ends this session and brings a new one: its token, not the old cookie, is the answer.
    if (changing && path !== CHANGE_PASSWORD) await changing.catch(() => undefined);
    if (accessToken !== undefined && accessToken !== sentWith) return call(path, { method, json, auth, cookie }, true);
    if (await refreshOnce()) return call(path, { method, json, auth, cookie }, true);
    for (const listener of signedOutListeners) listener();
  }
  throw error;
}

export const getJson = async <T>(path: string, options?: CallOptions): Promise<T> => (await call(path, options)).json() as Promise<T>;

export async function logIn(email: string, password: string): Promise<void> {
  const response = await call('auth/login', { json: { email, password }, auth: false, cookie: true });
  accessToken = ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Changes the password. Every session of the account ends, this one too; the answer is a new session, whose
 * access token replaces this one and whose refresh token replaces the cookie's.
 */
export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const task = (async () => {
    await refreshing?.catch(() => undefined); // a refresh's answer landing after this one would bring back an ended session
    const response = await call(CHANGE_PASSWORD, { json: { current_password: currentPassword, new_password: newPassword }, cookie: true });
    accessToken = ((await response.json()) as { access_token: string }).access_token;
  })();
  changing = task;
  return task.finally(() => void (changing === task && (changing = undefined)));
}

/** Ends this session (or every one) and forgets the token; the service clears the cookie. */
export async function logOut(everywhere = false): Promise<void> {
  try {
    await call(everywhere ? 'auth/logout-all' : 'auth/logout', { method: 'POST', cookie: true });
  } finally {
    accessToken = undefined;
  }
}

/** Forgets the token without asking the service (the account is gone). */
export const forgetSession = (): void => void (accessToken = undefined);

/** The problem in words for a person: the catalogue's text for its code, else the API's own detail. */
export function describeProblem(error: unknown): string {
  const problem: Problem = error instanceof ApiError ? error.problem : { status: 0, code: 'unknown', detail: String(error) };
  const values = { detail: problem.detail, requestId: problem.request_id ?? '', seconds: problem.retryAfter ?? '60' };
  return hasText(`problems.${problem.code}`) ? t(`problems.${problem.code}`, values) : t('problems.unknown', values);
}

/** Saves a response body as a file, as a download link would (the API wants the bearer token, so no plain link). */
export async function download(response: Response, fileName: string): Promise<void> {
  const url = URL.createObjectURL(await response.blob());
  const anchor = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
