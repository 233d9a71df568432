import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../shared/schemas.ts';
import { AppError } from '../../shared/errors.ts';
import { defaultDisplayName, type SipAccountUseCases } from '../sip-accounts/sip-account.usecases.ts';
import { describeProvisioningError } from '../sip-accounts/provisioning-error-text.ts';
import type { createLoginUser } from './login-user.usecase.ts';
import type { createRegisterUser } from './register-user.usecase.ts';
import { LoginBody, MeResponse, RegisterBody, RegisteredUser, TokenResponse } from './auth.schemas.ts';
import { bearerSecurity, type Authenticate } from './authenticate.ts';

export function registerAuthRoutes(
  app: FastifyInstance,
  { registerUser, loginUser, sipAccounts, authenticate, rateLimitPerMinute, tokenLifetimeSeconds }: {
    registerUser: ReturnType<typeof createRegisterUser>;
    loginUser: ReturnType<typeof createLoginUser>;
    sipAccounts: Pick<SipAccountUseCases, 'getAccountState'>;
    authenticate: Authenticate;
    rateLimitPerMinute: number;
    tokenLifetimeSeconds: number;
  },
): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: rateLimitPerMinute, timeWindow: '1 minute' };

  router.post('/auth/register', {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Sign up; a SIP extension is created on the PBX',
      description:
        'Creates the user and allocates a SIP extension, then waits up to PROVISION_WAIT_MS for the PBX. ' +
        '`provisioning_status` is `active` when the extension is live, `pending` when the PBX is still working on it (it goes on in the background).',
      body: RegisterBody,
      response: { 201: RegisteredUser, ...problemResponses(409, 413, 415, 422, 429, 503) },
    },
    handler: async (request, reply) => {
      const { user, account, provisioningStatus } = await registerUser({
        email: request.body.email,
        password: request.body.password,
        displayName: request.body.display_name,
      });
      return reply.status(201).send({
        id: user.id,
        email: user.email,
        sip_extension: account.extension,
        is_active: user.isActive,
        created_at: user.createdAt.toISOString(),
        provisioning_status: provisioningStatus,
      });
    },
  });

  router.post('/auth/login', {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Log in and get an access token',
      description: 'JSON `{"email","password"}`, or the OAuth2 password form (`application/x-www-form-urlencoded`, `username` = email).',
      body: LoginBody,
      response: { 200: TokenResponse, ...problemResponses(401, 403, 415, 422, 429) },
    },
    handler: async (request) => {
      const email = request.body.email ?? request.body.username;
      if (!email) {
        throw new AppError({
          status: 422,
          code: 'validation_failed',
          title: 'Request validation failed',
          detail: 'body must have property email (or username in the OAuth2 form)',
          extra: { errors: [{ field: 'email', message: 'is required' }] },
        });
      }
      const { accessToken } = await loginUser({ email, password: request.body.password });
      return { access_token: accessToken, token_type: 'bearer' as const, expires_in: tokenLifetimeSeconds };
    },
  });

  router.get('/auth/me', {
    schema: {
      tags: ['auth'],
      summary: 'The current user and the state of their SIP account',
      security: bearerSecurity,
      response: { 200: MeResponse, ...problemResponses(401) },
    },
    handler: async (request) => {
      const { user, account, job } = await sipAccounts.getAccountState(await authenticate(request));
      return {
        id: user.id,
        email: user.email,
        display_name: defaultDisplayName(user),
        is_active: user.isActive,
        created_at: user.createdAt.toISOString(),
        sip_account: account
          ? {
              extension: account.extension,
              status: account.status,
              last_error: describeProvisioningError(account.lastError),
              activated_at: account.activatedAt?.toISOString() ?? null,
              provisioning_attempts: job?.attempts ?? 0,
            }
          : null,
      };
    },
  });
}
