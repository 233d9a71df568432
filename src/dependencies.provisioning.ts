import type { ResolvedConfig } from './config/load-config.ts';
import type { Database } from './db/database.ts';
import { createProvisioningLinkUseCases } from './modules/provisioning/provisioning-links.usecases.ts';
import type { SipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';

/** The composition root's provisioning part: links and the operator settings of the credential formats. */
export function buildProvisioning({ db, sipAccounts, config }: { db: Database; sipAccounts: SipAccountUseCases; config: ResolvedConfig }) {
  return {
    links: createProvisioningLinkUseCases({
      db,
      sipAccounts,
      publicBaseUrl: config.provisioning.publicBaseUrl,
      ttlSeconds: config.provisioning.linkTtlSeconds,
      mode: config.provisioning.linkMode,
      linksPerAccount: config.provisioning.linksPerAccount,
    }),
    formatOptions: {
      ...(config.provisioning.acrobitsCloudId ? { acrobits: { cloudId: config.provisioning.acrobitsCloudId } } : {}),
      sessiontalk: { providerId: config.provisioning.sessionTalkProviderId },
    },
  };
}
