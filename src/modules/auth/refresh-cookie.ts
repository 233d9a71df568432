import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IssuedTokens } from './sessions.usecases.ts';

/**
 * The header with which the web page (GET /) asks for its refresh token in a cookie instead of in the JSON
 * body. Apps never send it, so their contract is untouched. Being a custom header, it cannot come from a
 * cross-site form, and a script of another origin sending it needs a CORS preflight, which this service never
 * grants: a cookie is only ever set or read for a request of the page's own origin (CSRF-safe by construction,
 * with SameSite=Strict on top).
 */
export const REFRESH_COOKIE_HEADER = 'x-refresh-cookie';

/** The optional header, as route schemas declare it (so it shows in the OpenAPI document). */
export const RefreshCookieHeaders = Type.Object({
  [REFRESH_COOKIE_HEADER]: Type.Optional(
    Type.Literal('1', {
      description:
        'Sent by the web page: the refresh token travels in an HttpOnly, SameSite=Strict cookie scoped to POST /auth/refresh ' +
        '(Secure when PUBLIC_BASE_URL is https) and is left out of the JSON body; logout clears the cookie.',
    }),
  ),
});

export interface TokenLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
}

/** The answer of login, refresh and password change, from what the session use cases issued. */
export function tokenAnswer(issued: Pick<IssuedTokens, 'accessToken' | 'refreshToken'>, lifetimes: TokenLifetimes) {
  return {
    access_token: issued.accessToken,
    token_type: 'bearer' as const,
    expires_in: lifetimes.accessSeconds,
    refresh_token: issued.refreshToken,
    refresh_token_expires_in: lifetimes.refreshSeconds,
  };
}

export interface RefreshCookie {
  /** Whether the request asks for the cookie (the web page's header). */
  asked(request: FastifyRequest): boolean;
  /** The refresh token the cookie holds, read only when the request asks for the cookie. */
  read(request: FastifyRequest): string | undefined;
  /** Tells the browser to drop the cookie. */
  clear(reply: FastifyReply): void;
  /** The token answer: as always, or with the refresh token moved into the cookie when the request asks. */
  answer(request: FastifyRequest, reply: FastifyReply, issued: Pick<IssuedTokens, 'accessToken' | 'refreshToken'>, lifetimes: TokenLifetimes): ReturnType<typeof tokenAnswer> | Omit<ReturnType<typeof tokenAnswer>, 'refresh_token'>;
}

/**
 * The refresh-token cookie of the web page. Its path is the refresh route under PUBLIC_BASE_URL's path (the
 * page may sit behind a proxy's prefix), so the browser sends it nowhere else; it is HttpOnly (the page's
 * script never holds the refresh token, only the short-lived access token, in memory), SameSite=Strict, and
 * Secure (with the `__Secure-` name prefix) when PUBLIC_BASE_URL is https.
 */
export function createRefreshCookie({ publicBaseUrl }: { publicBaseUrl: string }): RefreshCookie {
  const base = new URL(publicBaseUrl);
  const secure = base.protocol === 'https:';
  const name = secure ? '__Secure-refresh_token' : 'refresh_token';
  const attributes = `Path=${base.pathname.replace(/\/+$/, '')}/auth/refresh; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  const asked = (request: FastifyRequest) => request.headers[REFRESH_COOKIE_HEADER] === '1';

  return {
    asked,
    read(request) {
      if (!asked(request)) return undefined;
      for (const part of (request.headers.cookie ?? '').split(';')) {
        const [key, ...value] = part.trim().split('=');
        if (key === name) return value.join('=') || undefined;
      }
      return undefined;
    },
    clear: (reply) => void reply.header('set-cookie', `${name}=; ${attributes}; Max-Age=0`),
    answer(request, reply, issued, lifetimes) {
      const { refresh_token: refreshToken, ...rest } = tokenAnswer(issued, lifetimes);
      if (!asked(request)) return { ...rest, refresh_token: refreshToken };
      reply.header('set-cookie', `${name}=${refreshToken}; ${attributes}; Max-Age=${lifetimes.refreshSeconds}`);
      return rest;
    },
  };
}
