import { createHash, randomBytes } from 'node:crypto';

/** The qualify states Asterisk names a contact's `Status` with (res_pjsip/pjsip_options.c, status_map). */
export type ContactStatus = 'Reachable' | 'Unreachable' | 'NonQualified' | 'Unknown';

/** A phone's registration as Asterisk's registrar keeps it: one PJSIP contact in astdb. */
export interface SimContact {
  /** The AOR, which FreePBX names after the extension. */
  aor: string;
  /** Sorcery ID of a dynamic contact: `<aor>;@<hash of the URI>` (res_pjsip/location.c). */
  id: string;
  uri: string;
  /** The REGISTER's User-Agent header; '' when it had none. */
  userAgent: string;
  /** When the registration lapses, in seconds since the epoch (RegExpire, ExpirationTime). */
  expiresAt: number;
  status: ContactStatus;
  callId: string;
  viaAddr: string;
  viaPort: number;
}

export interface RegisterPhone {
  extensionId: string;
  userAgent?: string;
  status?: ContactStatus;
  /** Seconds the registration lasts (the REGISTER's Expires), default 3600. */
  expiresInSeconds?: number;
}

/**
 * The registrar's contacts, by AOR. A phone can register only with an extension live in Asterisk, as on a
 * real FreePBX (a digest against a secret Asterisk does not know fails); `isLive` says which are.
 */
export function createContactStore(isLive: (extensionId: string) => boolean) {
  const byAor = new Map<string, SimContact[]>();
  let nextPort = 5062;

  return {
    register(args: RegisterPhone): SimContact {
      if (!isLive(args.extensionId)) throw new Error(`extension ${args.extensionId} is not live in Asterisk: a phone cannot register with it`);
      const viaPort = nextPort++;
      const uri = `sip:${args.extensionId}@192.0.2.10:${viaPort};transport=udp`;
      const contact: SimContact = {
        aor: args.extensionId,
        id: `${args.extensionId};@${createHash('md5').update(uri).digest('hex')}`,
        uri,
        userAgent: args.userAgent ?? '',
        expiresAt: Math.floor(Date.now() / 1000) + (args.expiresInSeconds ?? 3600),
        status: args.status ?? 'NonQualified',
        callId: randomBytes(12).toString('hex'),
        viaAddr: '192.0.2.10',
        viaPort,
      };
      byAor.set(args.extensionId, [...(byAor.get(args.extensionId) ?? []), contact]);
      return contact;
    },
    /** Every contact of the AOR goes (the phone unregistered, or the extension was deleted). */
    unregister(extensionId: string): number {
      const removed = byAor.get(extensionId)?.length ?? 0;
      byAor.delete(extensionId);
      return removed;
    },
    /** All contacts, as astdb lists them (by key: AOR, then ID). */
    list(): SimContact[] {
      return [...byAor.values()].flat().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    reset(): void {
      byAor.clear();
    },
  };
}

export type ContactStore = ReturnType<typeof createContactStore>;
