import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { Email } from './auth.schemas.ts';

const EmailBody = Type.Object({ email: Email }, { additionalProperties: false });
const Accepted = Type.Object({ status: Type.Literal('accepted') });

/**
 * A route that mails a link to an address on request (the verification mail again, a password reset): it
 * answers 202 with the same body at once, whether or not the address has an account, so that the answer
 * tells nobody who has one; `requestMail` sends in the background (and limits how often).
 */
export function registerMailRequestRoute(app: FastifyInstance, { url, summary, descriptionTail = '', rateLimit, requestMail }: {
  url: string;
  summary: string;
  /** Said after the route's common description. */
  descriptionTail?: string;
  rateLimit: { max: number; timeWindow: string };
  requestMail: (email: string) => void;
}): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post(url, {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary,
      description: `Always 202 with the same body, at once, whether or not the email has an account (the mail, if any, is sent in the background; at most one a minute).${descriptionTail}`,
      body: EmailBody,
      response: { 202: Accepted, ...problemResponses(...BODY_PROBLEMS, 422, 429) },
    },
    handler: async (request, reply) => {
      requestMail(request.body.email);
      return reply.status(202).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ status: 'accepted' as const });
    },
  });
}
