import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { PbxAccount, PbxDriver } from '../pbx-driver.ts';
import { createFreepbxApply } from './freepbx.apply.ts';
import { freepbxErrors } from './freepbx.errors.ts';
import { createGqlClient } from './freepbx.gql-client.ts';
import { freepbxMessages, operations } from './freepbx.operations.ts';
import { createTokenManager } from './freepbx.token-manager.ts';

export interface FreepbxDriverOptions {
  /** e.g. `https://pbx.example.com` (no trailing `/admin`). */
  baseUrl: string;
  /** Machine-to-Machine application credentials (the real configuration). */
  clientId?: string;
  clientSecret?: string;
  /** A token obtained by hand: works until it expires (≤ 1 h), cannot be renewed. */
  apiToken?: string;
  requestTimeoutMs: number;
  applyTimeoutMs: number;
  applyPollIntervalMs: number;
  logger: Logger;
  fetch?: typeof fetch;
}

type Payload = { status?: boolean; message?: string };
type FetchedExtension = { user?: { name?: string | null; extPassword?: string | null } | null };

const sameSecret = (a: string, b: string) => {
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
 * PBX driver for FreePBX 16/17 through its GraphQL API (see docs/freepbx-api.md). An extension is ours when
 * its current SIP secret is the one we hold for the account (a finished earlier attempt) or its name is our
 * provisioning marker (an attempt that crashed between add and update). Anything else is someone else's and
 * is never overwritten.
 */
export function createFreepbxDriver(options: FreepbxDriverOptions): PbxDriver {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const logger = options.logger.child({ pbx: 'freepbx' });
  const tokens = createTokenManager({ ...options, baseUrl, fetch: fetchImpl, logger });
  const gql = createGqlClient({
    baseUrl,
    tokens,
    requestTimeoutMs: options.requestTimeoutMs,
    fetch: fetchImpl,
    logger,
    configSecrets: [options.clientSecret, options.apiToken].filter((value): value is string => Boolean(value)),
  });

  /** Every field we own, sent on each update because updateExtension resets whatever is left out (§2). */
  const ownedFields = (account: PbxAccount) => ({
    extensionId: account.extension,
    name: account.displayName,
    email: account.email,
    tech: 'pjsip',
    umEnable: false,
    vmEnable: false,
  });

  async function isOurs(account: PbxAccount): Promise<boolean> {
    const fetched = await gql.request<FetchedExtension>({
      field: 'fetchExtension',
      query: operations.fetchExtension,
      variables: { extensionId: account.extension },
      secrets: [account.secret],
    });
    // Deleted since the add said "in use": not ours to claim; the job retries with a fresh add.
    if (!fetched.ok) throw freepbxErrors.rejected(`FreePBX fetchExtension ${account.extension}: ${fetched.message}`, true);
    const current = fetched.data.user?.extPassword;
    if (typeof current === 'string' && sameSecret(current, account.secret)) return true;
    return fetched.data.user?.name === provisioningMarker(account);
  }

  async function update(account: PbxAccount): Promise<'updated' | 'missing'> {
    const result = await gql.request<Payload>({
      field: 'updateExtension',
      query: operations.updateExtension,
      variables: { input: { ...ownedFields(account), extPassword: account.secret } },
      secrets: [account.secret],
    });
    if (result.ok) return 'updated';
    if (result.message === freepbxMessages.missingOnUpdate) return 'missing';
    throw freepbxErrors.rejected(`FreePBX updateExtension ${account.extension}: ${result.message}`);
  }

  async function createAccount(account: PbxAccount): Promise<void> {
    const added = await gql.request<Payload>({
      field: 'addExtension',
      query: operations.addExtension,
      variables: { input: { ...ownedFields(account), name: provisioningMarker(account) } },
      secrets: [account.secret],
    });
    if (!added.ok) {
      if (added.message === freepbxMessages.licence) throw freepbxErrors.rejected(`FreePBX refused extension ${account.extension}: licence limit reached`);
      if (added.message !== freepbxMessages.inUse) throw freepbxErrors.rejected(`FreePBX addExtension ${account.extension}: ${added.message}`);
      if (!(await isOurs(account))) throw freepbxErrors.extensionTaken(account.extension);
      logger.info({ extension: account.extension }, 'FreePBX extension exists from an earlier attempt; bringing it up to date');
    }
    // addExtension cannot set the SIP secret; FreePBX generated a weak one that we replace now.
    if ((await update(account)) === 'missing') {
      throw freepbxErrors.rejected(`FreePBX extension ${account.extension} vanished while being created`, true);
    }
    logger.info({ extension: account.extension }, 'FreePBX extension created');
  }

  return {
    name: 'freepbx',
    needsApply: true,
    createAccount,
    async updateAccount(account) {
      if ((await update(account)) === 'missing') {
        logger.warn({ extension: account.extension }, 'FreePBX extension missing on update; creating it again');
        await createAccount(account);
        return;
      }
      logger.info({ extension: account.extension }, 'FreePBX extension updated');
    },
    async deleteAccount(extension) {
      const result = await gql.request<Payload>({
        field: 'deleteExtension',
        query: operations.deleteExtension,
        variables: { input: { extensionId: extension } },
      });
      if (!result.ok && result.message !== freepbxMessages.missingOnUpdate) {
        throw freepbxErrors.rejected(`FreePBX deleteExtension ${extension}: ${result.message}`);
      }
      logger.info({ extension, existed: result.ok }, 'FreePBX extension deleted');
    },
    ...createFreepbxApply({ gql, logger, applyTimeoutMs: options.applyTimeoutMs, applyPollIntervalMs: options.applyPollIntervalMs }),
    async checkHealth() {
      try {
        const result = await gql.request<Payload>({ field: 'fetchNeedReload', query: operations.fetchNeedReload });
        return { ok: true, detail: `FreePBX reachable at ${baseUrl}${result.ok && result.data.message ? ` (${result.data.message})` : ''}` };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : 'FreePBX check failed' };
      }
    },
    async close() {},
  };
}
