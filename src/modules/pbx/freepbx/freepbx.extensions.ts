import { createHash, timingSafeEqual } from 'node:crypto';
import type { PbxAccount } from '../pbx-driver.ts';
import { freepbxErrors } from './freepbx.errors.ts';
import type { GqlClient } from './freepbx.gql-client.ts';
import { freepbxMessages, operations } from './freepbx.operations.ts';

type Payload = { status?: boolean; message?: string };
type FetchedExtension = { user?: { name?: string | null; extPassword?: string | null } | null };

export const sameSecret = (a: string | null | undefined, b: string) => {
  if (typeof a !== 'string') return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * The caller-ID name an extension carries between addExtension and updateExtension. It is derived from the
 * account's secret, so nobody else's extension can carry it: finding it after a crash between the two calls
 * proves the half-made extension is ours to finish (instead of leaving an orphan and moving on).
 */
export function provisioningMarker(account: Pick<PbxAccount, 'secret'>): string {
  return `provisioning-${createHash('sha256').update(`voip-onboarding-api:${account.secret}`).digest('hex').slice(0, 24)}`;
}

/**
 * Every field we own, sent on add AND on each update: updateExtension deletes and re-creates the extension
 * and resets outboundCid, emergencyCid, umEnable/vmEnable (to yes: a User Manager user and its welcome mail,
 * a voicemail box) unless they are sent (freepbx-api.md §8). What it keeps (caller ID, max contacts, …) is
 * the operator's to set on the PBX.
 */
export const ownedFields = (account: PbxAccount) => ({
  extensionId: account.extension,
  name: account.displayName,
  email: account.email,
  tech: 'pjsip',
  outboundCid: '',
  emergencyCid: '',
  umEnable: false,
  vmEnable: false,
});

/** The extension operations, each checked: FreePBX's `status: true` alone does not prove a write (§8). */
export function createExtensionCalls(gql: GqlClient) {
  const mutate = (field: 'addExtension' | 'updateExtension' | 'deleteExtension', input: object, secret?: string) =>
    gql.request<Payload>({ field, query: operations[field], variables: { input }, secrets: secret ? [secret] : [] });

  /** The extension as FreePBX has it now, or null when it does not exist. */
  async function find(account: PbxAccount): Promise<FetchedExtension | null> {
    const fetched = await gql.request<FetchedExtension>({
      field: 'fetchExtension',
      query: operations.fetchExtension,
      variables: { extensionId: account.extension },
      secrets: [account.secret],
    });
    if (fetched.ok) return fetched.data;
    if (fetched.message === freepbxMessages.missingOnFetch) return null;
    throw freepbxErrors.rejected(`FreePBX fetchExtension ${account.extension}: ${fetched.message}`, true);
  }

  /**
   * After a write that said success: the extension must be there and carry what we wrote: our marker after the
   * add, our secret after the update (which proves the re-create used our input). Otherwise retryable: the
   * next attempt starts over from what is really on the PBX. The display name is not compared: FreePBX may
   * normalise it, and a mismatch that no retry can cure would keep the account from ever going live.
   */
  async function readBack(account: PbxAccount, write: 'addExtension' | 'updateExtension'): Promise<void> {
    const found = await find(account);
    const problem = !found
      ? 'the extension is not there'
      : write === 'addExtension'
        ? found.user?.name === provisioningMarker(account) ? null : 'it does not carry the name it was created with'
        : sameSecret(found.user?.extPassword, account.secret) ? null : 'it does not carry the secret just set';
    if (problem) {
      throw freepbxErrors.rejected(`FreePBX answered ${write} ${account.extension} with success, but reading it back ${problem}; will retry`, true);
    }
  }

  return {
    find,
    readBack,
    sameSecret,
    add: (account: PbxAccount) => mutate('addExtension', { ...ownedFields(account), name: provisioningMarker(account) }, account.secret),
    update: (account: PbxAccount) => mutate('updateExtension', { ...ownedFields(account), extPassword: account.secret }, account.secret),
    remove: (extension: string) => mutate('deleteExtension', { extensionId: extension }),
  };
}
