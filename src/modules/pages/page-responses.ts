import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../../shared/schemas.ts';

/** A form posted by one of our pages (a browser), rather than JSON from an app. */
export const isFormPost = (request: FastifyRequest) => /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');

/**
 * An answer that is a page for a person (text/html) or, for the same status, JSON for an app: a problem
 * (application/problem+json) from 400 up, `json` below.
 */
export function pageOrJson(description: string, status: number, json?: TSchema): TSchema {
  const jsonContent = status >= 400 ? { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } } : json ? { 'application/json': { schema: json } } : {};
  return { description, content: { ...jsonContent, 'text/html': { schema: Type.String() } } } as unknown as TSchema;
}

/** Sends a page; it holds the link's token (in its form) or answers it: never kept by a cache, never indexed. */
export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(html);
}
