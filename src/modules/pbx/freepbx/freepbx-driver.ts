import type { Logger } from 'pino';
import type { PbxAccount, PbxDriver } from '../pbx-driver.ts';
import { createAmiClient, type AmiSettings } from './ami/ami-client.ts';
import { checkAmi, readAmiRegistrations } from './ami/ami-registrations.ts';
import { createFreepbxApply } from './freepbx.apply.ts';
import { freepbxErrors } from './freepbx.errors.ts';
import { createExtensionCalls, provisioningMarker } from './freepbx.extensions.ts';
import { explainMissingFrameworkField } from './freepbx.framework.ts';
import { createGqlClient } from './freepbx.gql-client.ts';
import { listExtensions } from './freepbx.listing.ts';
import { freepbxMessages, operations } from './freepbx.operations.ts';
import { createTokenManager } from './freepbx.token-manager.ts';

export { provisioningMarker };

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
  /** Asterisk's AMI (FREEPBX_AMI_*): when given, the driver has `registrations`; the GraphQL API cannot tell. */
  ami?: AmiSettings;
  logger: Logger;
  fetch?: typeof fetch;
}

/**
 * PBX driver for FreePBX 16/17 through its GraphQL API (see docs/freepbx-api.md). An extension is ours when
 * its current SIP secret is the one we hold for the account (a finished earlier attempt) or its name is our
 * provisioning marker (an attempt that crashed between add and update). Anything else is someone else's and
 * is never overwritten. Every add and update is read back before it counts (freepbx.extensions.ts).
 * With the optional AMI settings it also answers `registrations` from Asterisk's registrar (ami/), which the
 * GraphQL API cannot tell.
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
  const extensions = createExtensionCalls(gql);
  // The AMI is bounded by the same per-call timeout as the API: connecting, and then each action.
  const ami = options.ami ? createAmiClient({ settings: options.ami, timeoutMs: options.requestTimeoutMs }) : undefined;

  async function isOurs(account: PbxAccount): Promise<boolean> {
    const found = await extensions.find(account);
    // Deleted since the add said "in use": not ours to claim; the job retries with a fresh add.
    if (!found) throw freepbxErrors.rejected(`FreePBX extension ${account.extension} vanished after "in use"`, true);
    return extensions.sameSecret(found.user?.extPassword, account.secret) || found.user?.name === provisioningMarker(account);
  }

  async function update(account: PbxAccount): Promise<'updated' | 'missing'> {
    const result = await extensions.update(account);
    if (!result.ok) {
      if (result.message === freepbxMessages.missingOnUpdate) return 'missing';
      throw freepbxErrors.rejected(`FreePBX updateExtension ${account.extension}: ${result.message}`);
    }
    await extensions.readBack(account, 'updateExtension');
    return 'updated';
  }

  async function createAccount(account: PbxAccount): Promise<void> {
    const added = await extensions.add(account);
    if (added.ok) {
      await extensions.readBack(account, 'addExtension');
    } else {
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
      const result = await extensions.remove(extension);
      if (!result.ok && result.message !== freepbxMessages.missingOnUpdate) {
        throw freepbxErrors.rejected(`FreePBX deleteExtension ${extension}: ${result.message}`);
      }
      logger.info({ extension, existed: result.ok }, 'FreePBX extension deleted');
    },
    listAccounts: (range) => listExtensions(gql, range),
    ...createFreepbxApply({ gql, logger, applyTimeoutMs: options.applyTimeoutMs, applyPollIntervalMs: options.applyPollIntervalMs }),
    ...(ami && { registrations: (wanted: readonly string[]) => readAmiRegistrations(ami, wanted) }),
    async checkHealth() {
      // The AMI is said, not judged: without it accounts only stay `active`, so it never makes the PBX unready.
      const amiHealth = ami ? await checkAmi(ami) : undefined;
      const amiDetail = amiHealth ? `; ${amiHealth.ok ? amiHealth.detail : `AMI check failed: ${amiHealth.detail} (accounts stay active)`}` : '';
      try {
        const result = await gql.request<{ message?: string }>({ field: 'fetchNeedReload', query: operations.fetchNeedReload });
        return { ok: true, detail: `FreePBX reachable at ${baseUrl}${result.ok && result.data.message ? ` (${result.data.message})` : ''}${amiDetail}`, ...(amiHealth?.ok === false && { warning: true }) };
      } catch (error) {
        const explained = await explainMissingFrameworkField(gql, error);
        return { ok: false, detail: `${explained instanceof Error ? explained.message : 'FreePBX check failed'}${amiDetail}` };
      }
    },
    async close() {},
  };
}
