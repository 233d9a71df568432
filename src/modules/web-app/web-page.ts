import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Locale } from '../../shared/locale.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/password-policy.ts';
import { createWebAssets } from './web-assets.ts';
import { registerWebAppRoutes } from './web-app.routes.ts';

/** The web page with the service's settings: its files from the build beside the bundle (or built from web/ when run from sources). */
export function registerWebPage(app: FastifyInstance, { serviceName, publicBaseUrl, defaultLocale, logger }: {
  serviceName: string;
  publicBaseUrl: string;
  defaultLocale: Locale;
  logger: Pick<Logger, 'error'>;
}): void {
  registerWebAppRoutes(app, {
    assets: createWebAssets({ logger }),
    settings: {
      serviceName,
      basePath: `${new URL(publicBaseUrl).pathname.replace(/\/+$/, '')}/`,
      defaultLocale,
      passwordLength: { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH },
    },
  });
}
