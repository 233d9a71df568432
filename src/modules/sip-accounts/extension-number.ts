import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * An extension (text, as the API shows it) as a number, or null when it is not a plain number without
 * leading zeros ("0123" is not 123: it cannot block 123). Indexed on `sip_accounts` and
 * `reserved_extensions`, so allocation can walk the taken numbers in numeric order. The allocation
 * function (allocate_extension, in src/db/migrations) spells this very expression, so that PostgreSQL uses the indexes: keep both alike.
 */
export function extensionNumber(column: AnyPgColumn): SQL {
  return sql`(case when ${column} ~ '^[1-9][0-9]{0,17}$' then ${column}::bigint end)`;
}
