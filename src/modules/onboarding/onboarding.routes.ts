import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { chooseLocale } from '../../shared/accept-language.ts';
import type { Locale } from '../../shared/locale.ts';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { meBody } from './me-body.ts';
import type { createRegisterUser } from './onboarding.usecases.ts';
import { MeResponse, RegisterBody, RegisteredUser } from './onboarding.schemas.ts';

/** Sign-up and "who am I, and is my extension live?". */
export function registerOnboardingRoutes(app: FastifyInstance, { registerUser, sipAccounts, authenticate, rateLimitPerMinute, defaultLocale, registrationReported }: {
  registerUser: ReturnType<typeof createRegisterUser>;
  /** Whether the service watches the PBX for registrations (a registration watch runs): GET /auth/me's registration_reported. */
  registrationReported: boolean;
  defaultLocale: Locale;
  sipAccounts: Pick<SipAccountUseCases, 'getAccountState'>;
  authenticate: Authenticate;
  rateLimitPerMinute: number;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();

  router.post('/auth/register', {
    config: { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'],
      summary: 'Sign up; a SIP extension is created on the PBX',
      description:
        'Creates the user and allocates a SIP extension, then waits up to PROVISION_WAIT_MS for the PBX. ' +
        '`provisioning_status` is `active` when the extension is live, `pending` when the PBX is still working on it (it goes on in the background), ' +
        '`awaiting_verification` with EMAIL_VERIFICATION=required (the extension is created once the email is verified). A verification mail is sent either way, ' +
        'in `locale` (en, es), else the language Accept-Language prefers, else DEFAULT_LOCALE.',
      body: RegisterBody,
      response: { 201: RegisteredUser, ...problemResponses(...BODY_PROBLEMS, 409, 422, 429, 503) },
    },
    handler: async (request, reply) => {
      const { user, account, provisioningStatus } = await registerUser({
        email: request.body.email,
        password: request.body.password,
        displayName: request.body.display_name,
        locale: chooseLocale({ asked: request.body.locale, acceptLanguage: request.headers['accept-language'], fallback: defaultLocale }),
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

  router.get('/auth/me', {
    schema: {
      tags: ['auth'],
      summary: 'The current user and the state of their SIP account',
      security: bearerSecurity,
      response: { 200: MeResponse, ...problemResponses(401) },
    },
    handler: async (request) => meBody(await sipAccounts.getAccountState(await authenticate(request)), registrationReported),
  });
}
