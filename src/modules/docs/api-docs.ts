import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

const require = createRequire(import.meta.url);
// ReDoc's script is served by the service itself: no CDN, so /redoc works offline and under a strict CSP.
const redocScriptPath = require.resolve('redoc/bundles/redoc.standalone.js');

const REDOC_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>voip-onboarding-api — API reference</title></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body>
</html>`;

/** OpenAPI generated from the route schemas; Swagger UI at /docs, ReDoc at /redoc, the document at /openapi.json. */
export async function registerApiDocs(app: FastifyInstance, { version }: { version: string }): Promise<void> {
  await app.register(swagger, {
    // Shared schemas keep their own name (`Problem`), so generated clients name their types after them.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'voip-onboarding-api',
        version,
        description:
          'Sign-up to a ringing softphone: accounts, automatic SIP extensions on the PBX, softphone credentials. ' +
          'Apps get both tokens in JSON from POST /auth/login and /auth/refresh. The web page served at `/` sends `X-Refresh-Cookie: 1` instead: ' +
          'its refresh token then lives in an HttpOnly, SameSite=Strict cookie scoped to POST /auth/refresh (Secure over https), never in its script; ' +
          'logout clears it. The header forces a CORS preflight, which this API never grants, so no other site can use the cookie.',
      },
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: '/auth/login', scopes: {} } } },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false, uiConfig: { persistAuthorization: false } });

  // Browsers ask for it on every docs page; an empty answer keeps 404s out of consoles and logs.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.status(204).send());
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(REDOC_PAGE));
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(fs.createReadStream(redocScriptPath)),
  );
}
