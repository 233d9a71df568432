import { Type } from '@sinclair/typebox';
import { Timestamp } from '../../shared/schemas.ts';
import { ProvisioningStatus } from '../onboarding/onboarding.schemas.ts';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, options?: { description: string }) => Type.Union([schema, Type.Null()], options);

export const UserIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

// Query values are text (no type coercion in this API): the limit is checked as digits, then as a range.
const Limit = Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: `1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}.` }));
const Cursor = Type.Optional(Type.String({ maxLength: 200, description: 'The `next_cursor` of the previous page.' }));

export const UsersQuery = Type.Object(
  {
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Prefix of the email, the display name (both case-insensitive) or the extension.' })),
    status: Type.Optional(Type.Union([...ProvisioningStatus.anyOf, Type.Literal('none'), Type.Literal('registered')], {
      description: 'The SIP account\'s status; `none`: users without one; `registered`: `active` and a phone has registered with it (as GET /auth/me shows it). `active` is every live account, registered or not.',
    })),
    registered: Type.Optional(Type.String({
      pattern: '^(true|false)$',
      description: '`true`: users whose SIP account a phone has registered with (`registered_at` set); `false`: users with a SIP account no phone has registered with yet (users without one are `status=none`). With `status=active&registered=false`: live accounts waiting for their phone.',
    })),
    limit: Limit,
    cursor: Cursor,
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object({ limit: Limit, cursor: Cursor }, { additionalProperties: false });

export const AdminUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  display_name: Nullable(Type.String()),
  created_at: Timestamp,
  sip_extension: Nullable(Type.String()),
  account_status: Nullable(ProvisioningStatus),
  last_error: Nullable(Type.String({ description: 'The stored reason of the last failed PBX attempt (`<kind>: <detail>`).' })),
  disabled: Type.Boolean({ description: 'An admin disabled the user: logins answer 403 user_inactive.' }),
  deleting: Type.Boolean({ description: 'The user asked to leave (or an admin deleted them): erased once off the PBX.' }),
  registered_at: Nullable(Timestamp, { description: 'When the service first saw a phone registered with the SIP account (as GET /auth/me\'s `registered`); null: not yet, no account, or the PBX cannot tell.' }),
  registered_user_agent: Nullable(Type.String({ description: 'The User-Agent of that phone, as the registrar stored it.' })),
});

const NextCursor = Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page.' }));
export const UsersPage = Type.Object({ items: Type.Array(AdminUser), next_cursor: NextCursor });

export const AdminUserDetail = Type.Object({
  user: Type.Intersect([AdminUser, Type.Object({ email_verified: Type.Boolean(), locale: Nullable(Type.String()), is_admin: Type.Boolean() })]),
  account: Nullable(Type.Object({
    extension: Type.String(), status: ProvisioningStatus, last_error: Nullable(Type.String()), activated_at: Nullable(Timestamp),
    registered_at: Nullable(Timestamp), registered_user_agent: Nullable(Type.String()),
  })),
  sessions: Type.Array(Type.Object({
    id: Type.String({ format: 'uuid' }), created_at: Timestamp, last_used_at: Timestamp, expires_at: Timestamp,
    ip_address: Nullable(Type.String()), user_agent: Nullable(Type.String()),
  })),
  jobs: Type.Array(Type.Object({
    id: Type.String({ format: 'uuid' }), kind: Type.String(), state: Type.String(), attempts: Type.Integer(),
    last_error: Nullable(Type.String()), created_at: Timestamp, updated_at: Timestamp,
  }), { description: 'The latest provisioning jobs of the account, newest first (at most 10).' }),
});

export const ActionAccepted = Type.Object({
  user_id: Type.String({ format: 'uuid' }),
  disabled: Type.Boolean(),
  account_status: Nullable(ProvisioningStatus),
}, { description: 'Accepted: the PBX side follows through a provisioning job.' });

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor_user_id: Nullable(Type.String({ format: 'uuid' })),
  actor_email: Nullable(Type.String()),
  action: Type.String({ examples: ['user.disable'] }),
  target_user_id: Nullable(Type.String({ format: 'uuid' })),
  target_email: Nullable(Type.String({ description: 'The target\'s email now; null once the user is erased.' })),
  address: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), next_cursor: NextCursor });

const Count = Type.Integer({ minimum: 0 });
export const AdminStats = Type.Object({
  users: Type.Object({ total: Count, disabled: Count, without_account: Count }),
  accounts_by_status: Type.Record(Type.String(), Count),
  sign_ups_per_day: Type.Array(Type.Object({ day: Type.String({ examples: ['2025-01-31'] }), count: Count }), { description: 'UTC days of the last 30 with a sign-up, oldest first.' }),
  queue: Type.Record(Type.String(), Type.Object({ jobs: Count, oldest_age_seconds: Count }), { description: 'Unfinished provisioning jobs by state.' }),
  last_apply_config: Type.Object({ started_at: Nullable(Timestamp), finished_at: Nullable(Timestamp), error: Nullable(Type.String()) }),
});
