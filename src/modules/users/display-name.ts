import type { UserRow } from './users.table.ts';

/** The name shown to callers and written on the PBX: the one the user gave, else the email's local part. */
export function defaultDisplayName(user: Pick<UserRow, 'displayName' | 'email'>): string {
  return user.displayName ?? user.email.split('@')[0]!;
}
