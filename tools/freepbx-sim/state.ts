import { createHash, randomBytes } from 'node:crypto';

/** One extension as FreePBX stores it after `processQuickCreate` (device + user + options). */
export interface SimExtension {
  extensionId: string;
  tech: string;
  name: string;
  email: string;
  outboundCid: string;
  emergencyCid: string;
  callerID: string;
  channelName: string;
  umEnable: boolean;
  umGroups: string;
  umPassword: string;
  vmEnable: boolean;
  vmPassword: string;
  maxContacts: string;
  /** The SIP secret (`user.extPassword`). */
  secret: string;
  /** Who made it: the API, or "someone else" (seeded by a test or an operator). */
  owner: 'api' | 'someone-else';
  /** Value of the change sequence when this extension was last written. */
  changedAt: number;
}

export interface LiveExtension {
  extensionId: string;
  secret: string;
  name: string;
}

/** FreePBX's own secret: md5(uniqid()), 32 lowercase hex chars. */
export function freepbxGeneratedSecret(): string {
  return createHash('md5').update(`${Date.now()}${randomBytes(4).toString('hex')}`).digest('hex');
}

/**
 * The extensions the PBX holds, and the ones live in Asterisk (as of the last reload that Executed).
 * Every write bumps a sequence number; a reload snapshots the extensions when it starts, so only changes
 * made before a reload started become live when it finishes.
 */
export function createExtensionStore() {
  const extensions = new Map<string, SimExtension>();
  let live = new Map<string, LiveExtension>();
  let changeSeq = 0;
  let appliedSeq = 0;

  return {
    get(extensionId: string): SimExtension | undefined {
      return extensions.get(extensionId);
    },
    list(): SimExtension[] {
      return [...extensions.values()].sort((a, b) => Number(a.extensionId) - Number(b.extensionId));
    },
    count(): number {
      return extensions.size;
    },
    put(extension: Omit<SimExtension, 'changedAt'>): SimExtension {
      const stored = { ...extension, changedAt: ++changeSeq };
      extensions.set(extension.extensionId, stored);
      return stored;
    },
    remove(extensionId: string): boolean {
      const removed = extensions.delete(extensionId);
      if (removed) changeSeq++;
      return removed;
    },
    /** What a reload starting now would write into Asterisk's configuration. */
    snapshot(): { seq: number; live: LiveExtension[] } {
      return {
        seq: changeSeq,
        live: this.list().map(({ extensionId, secret, name }) => ({ extensionId, secret, name })),
      };
    },
    /** A reload finished: its snapshot becomes live unless a newer one already is. */
    applySnapshot(snapshot: { seq: number; live: LiveExtension[] }): void {
      if (snapshot.seq < appliedSeq) return;
      appliedSeq = snapshot.seq;
      live = new Map(snapshot.live.map((entry) => [entry.extensionId, entry]));
    },
    /** Marks an extension live without a reload (for extensions that pre-exist on the PBX). */
    markLive(extension: SimExtension): void {
      live.set(extension.extensionId, { extensionId: extension.extensionId, secret: extension.secret, name: extension.name });
    },
    needsReload(): boolean {
      return changeSeq > appliedSeq;
    },
    live(): LiveExtension[] {
      return [...live.values()].sort((a, b) => Number(a.extensionId) - Number(b.extensionId));
    },
    reset(): void {
      extensions.clear();
      live = new Map();
      changeSeq = 0;
      appliedSeq = 0;
    },
  };
}

export type ExtensionStore = ReturnType<typeof createExtensionStore>;
