import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';
import { URL_PROTOCOLS, type UrlFormat } from './config.formats.ts';

// The shapes config.schema.ts builds its variables from: each with the options its docs and messages read.

export const whole = (minimum: number, maximum: number, defaultValue: number, description: string) =>
  Type.Integer({ minimum, maximum, default: defaultValue, description });

export const oneOf = <const T extends string[]>(values: T, description: string, defaultValue?: T[number]) =>
  Type.Union(values.map((value) => Type.Literal(value)), {
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  }) as unknown as TUnion<{ [K in keyof T]: TLiteral<T[K]> }>;

export const url = (format: UrlFormat, description: string, options: { secret?: boolean } = {}) =>
  Type.Optional(Type.String({
    format,
    description,
    problem: `must be a URL starting with ${URL_PROTOCOLS[format].map((protocol) => `${protocol}//`).join(' or ')}`,
    ...options,
  }));

/** What an error says of a value outside each duration format's range (config.formats.ts parses them). */
const DURATION_PROBLEMS = {
  duration: 'must be seconds or a number with s, m or h, from 30 s to 24 h',
  'long-duration': 'must be seconds or a number with s, m, h or d, from 1 min to 365 d',
  'hold-duration': 'must be seconds or a number with s, m, h or d (e.g. 30d), up to 3650 days',
} as const;

export const duration = (format: keyof typeof DURATION_PROBLEMS, defaultValue: string, description: string) =>
  Type.String({ format, default: defaultValue, problem: DURATION_PROBLEMS[format], description });

export const trueOrFalse = (description: string) => oneOf(['true', 'false'], description, 'false');
