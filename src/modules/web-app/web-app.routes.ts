import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chooseLocale } from '../../shared/accept-language.ts';
import type { Locale } from '../../shared/locale.ts';
import { renderIndexHtml, type PageSettings } from './index-html.ts';
import { webAssetNotFoundError, webPageUnavailableError } from './web-app.errors.ts';
import { chooseEncoding, type WebAssets } from './web-assets.ts';

/** Every path the page's own router shows something at; `/app/…` paths it does not know get its "not found". */
export const WEB_PAGE_ROUTES = ['/', '/app', '/app/*'] as const;

// The file names carry a hash of their content: a new build has new names, so a browser may keep them for good.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The self-service web page (web/, built into dist/web): its HTML document at `/` and `/app/…`, its script and
 * style sheet at `/app/assets/<hashed name>`, compressed when the browser accepts it. Left out of the OpenAPI
 * document (`hide`): it is not API. Under the service's CSP like every answer (src/shared/security-headers.ts).
 */
export function registerWebAppRoutes(app: FastifyInstance, { assets, settings }: {
  assets: () => Promise<WebAssets | undefined>;
  settings: PageSettings;
}): void {
  const documents = new Map<string, string>(); // by locale and build, rendered once
  const loaded = async () => {
    const found = await assets();
    if (!found) throw webPageUnavailableError({ detail: 'The web page is not built on this server: `npm run build` (which `npm start` runs first) builds it into dist/web.' });
    return found;
  };

  const sendDocument = async (request: FastifyRequest, reply: FastifyReply) => {
    const { manifest } = await loaded();
    const locale: Locale = chooseLocale({ acceptLanguage: request.headers['accept-language'], fallback: settings.defaultLocale });
    const key = `${locale} ${manifest.script}`;
    if (!documents.has(key)) documents.set(key, renderIndexHtml({ settings, manifest, locale }));
    // Revalidated on each visit, so a new build's asset names are seen at once.
    return reply.header('cache-control', 'no-cache').header('vary', 'Accept-Language').type('text/html; charset=utf-8').send(documents.get(key));
  };
  for (const url of WEB_PAGE_ROUTES) app.get(url, { schema: { hide: true } }, sendDocument);

  app.get<{ Params: { name: string } }>('/app/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const asset = (await loaded()).files.get(request.params.name);
    if (!asset) throw webAssetNotFoundError({ detail: 'No such file of the web page (it may belong to an earlier version: reload the page).' });
    const encoding = chooseEncoding(request.headers['accept-encoding']);
    reply.header('cache-control', IMMUTABLE).header('vary', 'Accept-Encoding').type(asset.contentType);
    if (encoding !== 'identity') reply.header('content-encoding', encoding);
    return reply.send(asset[encoding]);
  });
}
