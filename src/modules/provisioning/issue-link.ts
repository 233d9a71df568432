import type { Queryable } from '../../db/database.ts';
import { generateToken, sha256Hex } from '../../shared/crypto.ts';
import { createProvisioningLinksRepository } from './provisioning-links.repository.ts';
import type { ProvisioningLinkMode } from './provisioning-links.table.ts';

/** 32 random bytes (256 bits) in base64url. */
const TOKEN_BYTES = 32;

export interface CreatedLink {
  url: string;
  expiresAt: Date;
  qrPngUrl: string;
  qrSvgUrl: string;
  /** For a clickable link on the phone itself; a QR code must hold the plain https URL (linphone-android #2487). */
  deepLink: string;
}

/**
 * Makes provisioning links for an account, on whatever `db` is given: the API's own connection, or the
 * transaction in which the account goes live (the welcome mail's link commits with the mail, or not at all).
 * The token is returned once and kept only as a hash; each new link revokes the oldest unused ones beyond
 * `linksPerAccount`, so a leaked bearer token cannot pile up live capabilities.
 */
export function createLinkIssuer({ publicBaseUrl, mode, linksPerAccount }: { publicBaseUrl: string; mode: ProvisioningLinkMode; linksPerAccount: number }) {
  const publicUrlOf = (token: string) => `${publicBaseUrl}/provisioning/${token}`;
  return {
    publicUrlOf,
    async issue(db: Queryable, account: { id: string; secretVersion: number }, ttlSeconds: number): Promise<CreatedLink> {
      const links = createProvisioningLinksRepository({ db });
      const token = generateToken(TOKEN_BYTES);
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      await links.deleteExpired(account.id);
      await links.insert({ sipAccountId: account.id, tokenHash: sha256Hex(token), secretVersion: account.secretVersion, mode, expiresAt });
      await links.revokeOldestUnused(account.id, linksPerAccount);
      const url = publicUrlOf(token);
      return { url, expiresAt, qrPngUrl: `${url}/qr.png`, qrSvgUrl: `${url}/qr.svg`, deepLink: `linphone-config:${url}` };
    },
  };
}

export type LinkIssuer = ReturnType<typeof createLinkIssuer>;
