import { Type, type TSchema } from '@sinclair/typebox';

/** RFC 9457 problem details, as every error of this API is answered. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Always about:blank: the `code` identifies the problem.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code.' }),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'application/problem+json' },
);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed body (`malformed_body`)',
  401: 'Missing, invalid or expired bearer token (`not_authenticated`) or wrong email or password (`invalid_credentials`)',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body over BODY_LIMIT_BYTES (`payload_too_large`)',
  415: 'Unsupported content type (`unsupported_media_type`)',
  422: 'Invalid request (`validation_failed`, with `errors`)',
  429: 'Too many requests (`rate_limited`, or `login_throttled` on POST /auth/login); see Retry-After',
  502: 'The PBX refused',
  503: 'Unavailable',
};

/**
 * Declares, per route, the error statuses it may answer, all as application/problem+json with the problem
 * schema: the content type keys both the OpenAPI document and Fastify's serializer for that answer.
 */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: PROBLEM_DESCRIPTIONS[status] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: Type.Ref('Problem') } } } as unknown as TSchema,
    ]),
  );
}

/** What any route that reads a body (every POST) may answer about it, whether it declares a body or not. */
export const BODY_PROBLEMS = [400, 413, 415] as const;

/** A 200 whose body is text or bytes, in each of the media types given. */
export function mediaResponse(description: string, mediaTypes: Record<string, TSchema>): TSchema {
  return { description, content: Object.fromEntries(Object.entries(mediaTypes).map(([type, schema]) => [type, { schema }])) } as unknown as TSchema;
}

export const Binary = Type.String({ format: 'binary' });

export const Timestamp = Type.String({ format: 'date-time' });
