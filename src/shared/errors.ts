/**
 * Errors that carry their own HTTP status and a stable machine-readable `code`.
 * The error handler turns them into `application/problem+json` (RFC 9457) bodies.
 * `detail` is shown to clients: never put a secret, SQL text or stack trace in it.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(args: {
    status: number;
    code: string;
    title: string;
    detail?: string;
    headers?: Record<string, string>;
    extra?: Record<string, unknown>;
    cause?: unknown;
  }) {
    super(args.detail ?? args.title, { cause: args.cause });
    this.name = 'AppError';
    this.status = args.status;
    this.code = args.code;
    this.title = args.title;
    this.headers = args.headers ?? {};
    this.extra = args.extra ?? {};
  }

  get detail(): string {
    return this.message;
  }
}

/** Builds a factory for one kind of error, declared next to the module that raises it. */
export function defineError(defaults: { status: number; code: string; title: string }) {
  return (args: { detail?: string; headers?: Record<string, string>; extra?: Record<string, unknown>; cause?: unknown } = {}) =>
    new AppError({ ...defaults, ...args });
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export interface FieldError {
  field: string;
  message: string;
}

/** 422 `validation_failed`, the one shape for every invalid request: the schema's findings and a handler's own. */
export function validationFailedError(errors: FieldError[]): AppError {
  return new AppError({
    status: 422,
    code: 'validation_failed',
    title: 'Request validation failed',
    detail: errors.map((error) => `${error.field} ${error.message}`).join('; '),
    extra: { errors },
  });
}
