import type { PageCursor } from './credential-access.repository.ts';

/**
 * The opaque `next_cursor` of GET /sip/credentials/access-log: the last entry's time (ms) and id, in
 * base64url. It names only the reader's own entries: the query is always bounded by the bearer's user.
 */
export function encodeCursor({ accessedAt, id }: PageCursor): string {
  return Buffer.from(`${accessedAt.getTime()}.${id}`).toString('base64url');
}

/** The cursor, or undefined when it is not one this service made. */
export function decodeCursor(cursor: string): PageCursor | undefined {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  return { accessedAt: new Date(Number(match[1])), id: Number(match[2]) };
}
