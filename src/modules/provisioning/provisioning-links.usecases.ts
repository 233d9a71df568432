import type { Database } from '../../db/database.ts';
import { isAppError } from '../../shared/errors.ts';
import { sha256Hex } from '../../shared/crypto.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { assertAccountLive } from '../sip-accounts/account-status.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import { renderLinphoneXml } from './formats/index.ts';
import { createLinkIssuer, type CreatedLink } from './issue-link.ts';
import { provisioningLinkInvalidError } from './provisioning.errors.ts';
import { createProvisioningLinksRepository } from './provisioning-links.repository.ts';
import type { ProvisioningLinkMode } from './provisioning-links.table.ts';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type { CreatedLink } from './issue-link.ts';

export function createProvisioningLinkUseCases({ db, sipAccounts, publicBaseUrl, ttlSeconds, mode, linksPerAccount = 5 }: {
  db: Database;
  sipAccounts: Pick<SipAccountUseCases, 'getCredentials'>;
  publicBaseUrl: string;
  ttlSeconds: number;
  mode: ProvisioningLinkMode;
  /** Unused links an account may hold at once; a new one revokes the oldest beyond it. */
  linksPerAccount?: number;
}) {
  const links = createProvisioningLinksRepository({ db });
  const accounts = createSipAccountsRepository({ db });
  const issuer = createLinkIssuer({ publicBaseUrl, mode, linksPerAccount });
  const hashOf = (token: string) => (TOKEN_SHAPE.test(token) ? sha256Hex(token) : undefined);
  const { publicUrlOf } = issuer;

  return {
    /** A new link for the user's live account. The token is returned here once and kept only as a hash. */
    async createLink(userId: string): Promise<CreatedLink> {
      const account = await accounts.findByUserId(userId);
      assertAccountLive(account); // A missing, pending or failed account gets its own error.
      // The owner asking for a link is never refused; the oldest unused links beyond the cap are revoked.
      return issuer.issue(db, account, ttlSeconds);
    },

    /**
     * The Linphone XML for a real Linphone fetch, and whose secret it holds: uses the link up (or binds it
     * to `deviceFingerprint`). Every kind of invalid link throws the same error.
     */
    async fetchLinphoneConfig({ token, deviceFingerprint }: { token: string; deviceFingerprint: string }): Promise<{ xml: string; userId: string }> {
      const tokenHash = hashOf(token);
      const fingerprint = sha256Hex(deviceFingerprint);
      const found = tokenHash ? await links.findUsable(tokenHash, fingerprint) : undefined;
      if (!tokenHash || !found) throw provisioningLinkInvalidError();
      // Rendered before the link is used up, so a render that fails never costs the user their link.
      // The single-use token leaves the phone's config once applied: transient_provisioning.
      const credentials = await sipAccounts.getCredentials(found.userId).catch((error: unknown) => {
        // The account changed in the instant since the link was checked: still the one answer.
        throw isAppError(error) ? provisioningLinkInvalidError() : error;
      });
      const xml = renderLinphoneXml(credentials, { transient: true });
      // The one statement that decides, so two phones racing for one link never both win. A rotation in
      // between fails it (the link names the secret version), so the XML never holds a superseded secret.
      const consumed = await links.consume(tokenHash, fingerprint);
      if (!consumed) throw provisioningLinkInvalidError();
      return { xml, userId: consumed.userId };
    },

    /** Throws the invalid-link error unless the link is unused and works; never uses it up. */
    /** The language of the link's user (null: none chosen); 404 for a link that opens nothing. */
    async assertUnused(token: string): Promise<{ locale: string | null }> {
      const tokenHash = hashOf(token);
      const found = tokenHash ? await links.findUsable(tokenHash) : undefined;
      if (!found) throw provisioningLinkInvalidError();
      return { locale: found.locale };
    },

    publicUrlOf,
  };
}

export type ProvisioningLinkUseCases = ReturnType<typeof createProvisioningLinkUseCases>;
