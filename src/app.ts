import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import formbody from '@fastify/formbody';
import type { Dependencies } from './dependencies.ts';
import { installErrorHandlers } from './shared/error-handler.ts';
import { installSecurityHeaders } from './shared/security-headers.ts';
import { RequestLogController } from './shared/request-log.ts';
import { requestChildLogger } from './shared/request-logger.ts';
import { ProblemSchema } from './shared/schemas.ts';
import { AppError } from './shared/errors.ts';
import { registerApiDocs } from './modules/docs/api-docs.ts';
import { registerHealthRoutes } from './modules/health/health.routes.ts';
import { registerMetricsRoutes, routeLabel } from './modules/metrics/metrics.routes.ts';
import { registerAuthRoutes } from './modules/auth/auth.routes.ts';
import { registerChangePasswordRoutes } from './modules/auth/change-password.routes.ts';
import { createRefreshCookie } from './modules/auth/refresh-cookie.ts';
import { registerSessionRoutes } from './modules/auth/sessions.routes.ts';
import { registerOnboardingRoutes } from './modules/onboarding/onboarding.routes.ts';
import { registerEmailVerificationRoutes } from './modules/onboarding/email-verification.routes.ts';
import { registerPasswordResetRoutes } from './modules/password-reset/password-reset.routes.ts';
import { registerMeRoutes } from './modules/me/me.routes.ts';
import { registerSipAccountRoutes } from './modules/sip-accounts/sip-accounts.routes.ts';
import { registerSecretRotationRoutes } from './modules/sip-accounts/secret-rotation.routes.ts';
import { registerProvisioningLinkRoutes } from './modules/provisioning/provisioning-links.routes.ts';
import { registerCredentialFormatRoutes } from './modules/provisioning/credential-formats.routes.ts';
import { registerCredentialAccessRoutes } from './modules/credential-access/credential-access.routes.ts';
import { registerAdminUserRoutes } from './modules/admin/admin-users.routes.ts';
import { registerAdminLogRoutes } from './modules/admin/admin-log.routes.ts';
import { registerReconcileRoutes } from './modules/reconcile/reconcile.routes.ts';
import { registerImportRoutes } from './modules/imports/imports.routes.ts';
import { registerWebPage } from './modules/web-app/web-page.ts';

export const API_VERSION = '0.1.0';

/**
 * Fastify's trustProxy for TRUST_PROXY. A hop count trusts the nearest N hops whoever they are (proxy-addr's
 * hop index), so the client address is the one the outermost of our proxies saw; Fastify's own number option
 * trusts no hop at all, which would count every client behind the proxy as one.
 */
function trustProxyOption(trustProxy: boolean | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trustProxy === 'number' ? (_address, hop) => hop < trustProxy : trustProxy;
}

/** Builds the HTTP app around ready-made dependencies. Never listens: main.ts does, tests use inject(). */
export async function buildApp(deps: Dependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const logController = new RequestLogController(); // one line per request
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps route types on Fastify's default logger type.
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    logController,
    childLoggerFactory: requestChildLogger, // request.log's pino child only when something logs through it
    bodyLimit: config.bodyLimitBytes,
    // Long enough that any made-up provisioning token gets the same 404 as an unknown one, not a 414.
    routerOptions: { maxParamLength: 1024 },
    trustProxy: trustProxyOption(config.trustProxy),
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    // No type coercion: `"display_name": false` is a 422, not the text "false". Nothing needs it: every path
    // parameter is text and no route reads a typed query string (a form's fields are text too).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });

  if (config.trustProxy === true) {
    deps.logger.warn('TRUST_PROXY=true believes every X-Forwarded-For hop: any client can pick the address its rate limits count against. Set the hop count (e.g. TRUST_PROXY=1) or the proxies\' addresses instead.');
  }
  app.addSchema(ProblemSchema);
  installErrorHandlers(app);
  installSecurityHeaders(app);
  if (deps.metrics) registerMetricsRoutes(app, { metrics: deps.metrics, token: config.metrics.token, onRequestCompleted: (listener) => logController.onCompleted(listener) });
  await app.register(rateLimit, {
    global: false,
    ...(deps.rateLimitRedis ? { redis: deps.rateLimitRedis, nameSpace: 'voip-onboarding-api:rate-limit:', skipOnError: true } : {}),
    onExceeded: (request) => deps.metrics?.http.rateLimited(routeLabel(request)),
    errorResponseBuilder: (_request, context) =>
      new AppError({
        status: 429,
        code: 'rate_limited',
        title: 'Too many requests',
        detail: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s.`,
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });
  // The API speaks JSON (and the OAuth2 form on /auth/login); anything else is a 415, not a confusing 422.
  app.removeContentTypeParser('text/plain');
  await app.register(formbody);
  await registerApiDocs(app, { version: API_VERSION });

  registerHealthRoutes(app, {
    pingDatabase: deps.database.ping,
    background: { workerLastBeatAt: () => deps.worker.lastBeatAt, workerStarted: () => deps.worker.started, listening: () => deps.accountCache?.listening },
  });
  // Whether phones' registrations are seen at all (a driver that can tell, checks not turned off).
  const registrationReported = deps.registrationWatch !== undefined;
  registerOnboardingRoutes(app, {
    registerUser: deps.useCases.registerUser,
    sipAccounts: deps.useCases.sipAccounts,
    authenticate: deps.authenticate,
    rateLimitPerMinute: config.authRateLimitPerMinute,
    defaultLocale: config.defaultLocale,
    registrationReported,
  });
  const accountPages = { pages: deps.pages, rateLimitPerMinute: config.authRateLimitPerMinute, defaultLocale: config.defaultLocale };
  registerEmailVerificationRoutes(app, { verification: deps.useCases.emailVerification, ...accountPages });
  registerPasswordResetRoutes(app, { passwordReset: deps.useCases.passwordReset, ...accountPages });
  registerMeRoutes(app, { db: deps.database.db, ...deps.useCases, authenticate: deps.authenticate, rateLimitPerMinute: config.authRateLimitPerMinute, registrationReported });
  // The web page's refresh token lives in this cookie, set only when the page asks for it (X-Refresh-Cookie).
  const refreshCookie = createRefreshCookie({ publicBaseUrl: config.provisioning.publicBaseUrl });
  registerAuthRoutes(app, {
    loginUser: deps.useCases.loginUser,
    refreshCookie,
    rateLimitPerMinute: config.authRateLimitPerMinute,
    tokenLifetimeSeconds: config.accessTokenExpireMinutes * 60,
    refreshTokenLifetimeSeconds: config.refreshTokenExpireDays * 86_400,
  });
  registerSipAccountRoutes(app, { sipAccounts: deps.useCases.sipAccounts, authenticate: deps.authenticate, accessLog: deps.credentialAccess.recorder });
  registerCredentialAccessRoutes(app, { accessLog: deps.credentialAccess.repository, flushPending: deps.credentialAccess.flush, authenticate: deps.authenticate });
  registerSecretRotationRoutes(app, { rotation: deps.useCases.secretRotation, authenticate: deps.authenticate });
  registerCredentialFormatRoutes(app, {
    sipAccounts: deps.useCases.sipAccounts,
    authenticate: deps.authenticate,
    formatOptions: deps.provisioning.formatOptions,
    accessLog: deps.credentialAccess.recorder,
  });
  registerProvisioningLinkRoutes(app, {
    provisioningLinks: deps.provisioning.links,
    authenticate: deps.authenticate,
    rateLimitPerMinute: config.provisioning.rateLimitPerMinute,
    acceptLegacyLinphone: config.provisioning.acceptLegacyLinphone,
    accessLog: deps.credentialAccess.recorder,
    defaultLocale: config.defaultLocale,
  });
  const lifetimes = { accessSeconds: config.accessTokenExpireMinutes * 60, refreshSeconds: config.refreshTokenExpireDays * 86_400 };
  registerSessionRoutes(app, { sessions: deps.useCases.sessions, authenticate: deps.authenticate, refreshCookie, rateLimitPerMinute: config.authRateLimitPerMinute, lifetimes });
  registerChangePasswordRoutes(app, { changePassword: deps.useCases.changePassword, authenticate: deps.authenticate, refreshCookie, rateLimitPerMinute: config.authRateLimitPerMinute, lifetimes });
  const { admin } = deps;
  registerAdminUserRoutes(app, { requireAdmin: admin.requireAdmin, roles: admin.roles, users: admin.users, actions: admin.actions, sessions: deps.useCases.sessions });
  registerAdminLogRoutes(app, { requireAdmin: admin.requireAdmin, auditLog: admin.auditLog, readStats: admin.readStats });
  const { operator } = deps;
  registerReconcileRoutes(app, { reconcile: operator.reconcile, admin: operator.access, audit: operator.audit });
  registerImportRoutes(app, { imports: operator.imports, progress: operator.importProgress, admin: operator.access, audit: operator.audit });
  // The self-service web page at / and /app/…, on the routes above.
  registerWebPage(app, { serviceName: config.serviceName, publicBaseUrl: config.provisioning.publicBaseUrl, defaultLocale: config.defaultLocale, logger: deps.logger });
  return app;
}
