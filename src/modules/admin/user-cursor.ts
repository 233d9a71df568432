/** The position after the last user of a page of GET /admin/users: their creation time (to the microsecond, as text) and id. */
export interface UserCursor {
  createdAt: string;
  id: string;
}

const SHAPE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Opaque to clients: base64url of `<created_at>|<id>`. */
export const encodeUserCursor = ({ createdAt, id }: UserCursor): string => Buffer.from(`${createdAt}|${id}`).toString('base64url');

/** The cursor, or undefined when it is not one this service made. */
export function decodeUserCursor(cursor: string): UserCursor | undefined {
  const match = SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { createdAt: match[1]!, id: match[2]! } : undefined;
}

/** `LIKE` pattern for "starts with `text`": its own `%`, `_` and `\` match only themselves. */
export const startsWith = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
