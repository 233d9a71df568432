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

/** Declares, per route, the error statuses it may answer, all with the problem schema. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));
}

export const Timestamp = Type.String({ format: 'date-time' });
