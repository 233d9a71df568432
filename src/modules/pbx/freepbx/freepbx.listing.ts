import type { PbxListedAccount } from '../pbx-driver.ts';
import { freepbxErrors } from './freepbx.errors.ts';
import { sameSecret } from './freepbx.extensions.ts';
import type { GqlClient } from './freepbx.gql-client.ts';
import { operations } from './freepbx.operations.ts';

type Page = {
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null } | null;
  extension?: Array<{ extensionId?: string | null; user?: { name?: string | null; extPassword?: string | null } | null } | null> | null;
};

/** Extensions per `fetchAllExtensions` call: FreePBX builds the whole list for each page, so few large pages. */
export const LIST_PAGE_SIZE = 500;

/** The name `provisioningMarker` gives an extension between addExtension and updateExtension. */
const MARKER = /^provisioning-[0-9a-f]{24}$/;

/**
 * Every extension of the PBX in `range`, read page by page with `fetchAllExtensions` (a Relay connection over
 * all devices, freepbx-api.md §2 and core `Api/Gql/Extensions.php`). A device that is not `fixed` has no
 * user, hence no secret we can read: it is listed, and matches no secret.
 */
export async function listExtensions(gql: GqlClient, range: { first: number; last: number }): Promise<PbxListedAccount[]> {
  const listed: PbxListedAccount[] = [];
  let after: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw freepbxErrors.rejected('FreePBX fetchAllExtensions: the listing does not end', true);
    const result = await gql.request<Page>({
      field: 'fetchAllExtensions',
      query: operations.fetchAllExtensions,
      variables: { first: LIST_PAGE_SIZE, ...(after ? { after } : {}) },
    });
    if (!result.ok) throw freepbxErrors.rejected(`FreePBX fetchAllExtensions: ${result.message}`, true);
    for (const node of result.data.extension ?? []) {
      const extension = node?.extensionId ?? '';
      if (!/^[1-9][0-9]{0,17}$/.test(extension)) continue;
      const number = Number(extension);
      if (number < range.first || number > range.last) continue;
      const user = node?.user;
      listed.push({
        extension,
        marked: MARKER.test(user?.name ?? ''),
        hasSecret: (secret) => sameSecret(user?.extPassword, secret),
      });
    }
    const next = result.data.pageInfo;
    if (!next?.hasNextPage || !next.endCursor) return listed;
    after = next.endCursor;
  }
}
