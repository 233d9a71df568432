import { validationFailedError } from '../../shared/errors.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './admin.schemas.ts';

/** The `limit` of a page query (text in the query string), checked as a range. */
export function pageLimit(limit: string | undefined): number {
  const value = limit === undefined ? DEFAULT_LIMIT : Number(limit);
  if (value < 1 || value > MAX_LIMIT) throw validationFailedError([{ field: 'limit', message: `must be from 1 to ${MAX_LIMIT}` }]);
  return value;
}

/** A cursor decoded by `decode`, or a 422 when it is not one this service gave. */
export function pageCursor<T>(cursor: string | undefined, decode: (cursor: string) => T | undefined): T | undefined {
  if (cursor === undefined) return undefined;
  const decoded = decode(cursor);
  if (decoded === undefined) throw validationFailedError([{ field: 'cursor', message: 'is not a cursor this service gave' }]);
  return decoded;
}
