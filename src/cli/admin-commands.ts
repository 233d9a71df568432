import type { Command } from 'commander';
import { record } from '../modules/admin/audit-log.repository.ts';
import { createAdminRolesRepository } from '../modules/admin/admin-roles.repository.ts';
import type { AdminActor } from '../modules/admin/admin-guard.ts';
import { UsersQuery } from '../modules/admin/admin.schemas.ts';
import type { StatusFilter } from '../modules/admin/admin-users.repository.ts';
import { CliError, withService } from './cli-context.ts';

const print = (line = '') => process.stdout.write(`${line}\n`);
/** An operator at the machine: the audit log names no admin user for the command line. */
const CLI_ACTOR: AdminActor = { userId: null, address: 'cli', userAgent: 'voip-onboarding' };
/** The statuses GET /admin/users takes, `registered` and `none` among them. */
const STATUSES: readonly string[] = UsersQuery.properties.status.anyOf.map((literal) => literal.const);

/** The most `users list` prints at once (the API pages by 100; here one screenful of a large list is enough). */
const MAX_LIST = 1000;

/** `users list`'s --status, --registered and --limit, checked as GET /admin/users checks its query. */
function listFilters(options: { status?: string; registered?: string; limit: string }): { status?: StatusFilter; registered?: boolean; limit: number } {
  if (!/^[0-9]{1,4}$/.test(options.limit) || Number(options.limit) < 1 || Number(options.limit) > MAX_LIST) throw new CliError(`--limit must be a whole number from 1 to ${MAX_LIST}.`);
  if (options.status !== undefined && !STATUSES.includes(options.status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}.`);
  if (options.registered !== undefined && options.registered !== 'true' && options.registered !== 'false') throw new CliError('--registered must be true or false.');
  return {
    status: options.status as StatusFilter | undefined,
    registered: options.registered === undefined ? undefined : options.registered === 'true',
    limit: Number(options.limit),
  };
}

/** `admin grant|revoke EMAIL` and `users list|show|disable|enable|delete|reprovision`, on the service's database. */
export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Grant or revoke the admin role (on every instance at once).');
  for (const change of ['grant', 'revoke'] as const) {
    admin
      .command(change)
      .argument('<email>', "the user's email")
      .description(change === 'grant' ? 'Make the user an admin.' : 'Take the admin role away (this beats ADMIN_EMAILS).')
      .action((email: string) =>
        withService(async (deps) => {
          const db = deps.database.db;
          const roles = createAdminRolesRepository({ db });
          const userId = change === 'grant' ? await roles.grantAdmin(email) : await roles.revokeAdmin(email);
          if (!userId) throw new CliError(`No user has the email ${email}.`);
          await record(db, { actorUserId: null, action: `admin.${change}`, targetUserId: userId, address: 'cli', detail: { via: 'cli' } });
          print(change === 'grant' ? `${email} is an admin.` : `${email} is no longer an admin.`);
        }),
      );
  }

  const users = program.command('users').description('See and act on users (the same actions as the /admin API, written to the audit log).');
  users
    .command('list')
    .description('Users, newest first (id, email, extension, account status, when a phone first registered).')
    .option('--query <text>', 'an email, name or extension prefix')
    .option('--status <status>', `the account's status: ${STATUSES.join(', ')} (registered: active, and a phone registered with it; none: no account)`)
    .option('--registered <true|false>', 'true: a phone registered with the account; false: an account no phone registered with yet')
    .option('--limit <n>', `how many, 1 to ${MAX_LIST}`, '50')
    .option('--json', 'as JSON')
    .action(async (options: { query?: string; status?: string; registered?: string; limit: string; json?: boolean }) => {
      const filters = listFilters(options); // before the database is opened
      await withService(async (deps) => {
        const rows = await deps.admin.users.list({ query: options.query, ...filters });
        if (options.json) {
          print(JSON.stringify(rows, null, 2));
          return;
        }
        for (const row of rows) {
          const registered = row.registered_at ? `registered ${new Date(row.registered_at).toISOString()}` : '-';
          print([row.id, row.email, row.extension ?? '-', row.status ?? 'no account', registered, row.is_active ? '' : 'inactive'].join('\t').trimEnd());
        }
      });
    });
  users
    .command('show')
    .argument('<id>', "the user's id")
    .description('One user and their SIP account, as JSON.')
    .action((id: string) =>
      withService(async (deps) => {
        const row = await deps.admin.users.find(id);
        if (!row) throw new CliError(`No user has the id ${id}.`);
        print(JSON.stringify(row, null, 2));
      }),
    );
  const actions = { disable: 'disable', enable: 'enable', delete: 'remove', reprovision: 'reprovision' } as const;
  for (const [name, action] of Object.entries(actions)) {
    users
      .command(name)
      .argument('<id>', "the user's id")
      .description(`${name[0]!.toUpperCase()}${name.slice(1)} the user (queued as jobs the service's worker carries out).`)
      .action((id: string) =>
        withService(async (deps) => {
          const result = await deps.admin.actions[action](CLI_ACTOR, id);
          print(JSON.stringify(result));
        }),
      );
  }
}
