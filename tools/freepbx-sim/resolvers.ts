import { fromAddInput, fromUpdateInput, str } from './extension-input.ts';
import type { ReloadManager } from './reloads.ts';
import { freepbxGeneratedSecret, type ExtensionStore, type SimExtension } from './state.ts';

/** Messages exactly as core `Api/Gql/Extensions.php` and framework `Api/Gql/Modules.php` return them. */
export const messages = {
  licence: 'Can not add extension beyond the extensions license limit',
  umPassword: 'User management is enabled please provide password',
  numeric: 'Please enter only numeric values',
  inUse: 'This device id is already in use',
  created: 'Extension has been created Successfully',
  createFailed: 'Failed to create extension',
  updated: 'Extension has been updated',
  updateFailed: 'Sorry could not update the extension',
  missingForUpdate: 'Extension does not exists.',
  deleted: 'Extension has been deleted',
  missingForFetch: 'Extension does not exists',
  found: 'Extension found successfully',
  foundAll: "Extension's found successfully",
  rangeCreated: "Extension's has been created Successfully",
  reloadStarted:
    'Doreload/apply config has been initiated. Please check the status using fetchApiStatus api with the returned transaction id',
  unknownTxn: 'Sorry unable to fetch the status',
  reloadRequired: 'Doreload is required',
  reloadNotRequired: 'Doreload is not required',
} as const;

const validTechs = new Set(['pjsip', 'sip', 'iax2', 'dahdi', 'custom', 'virtual']);

type Input = Record<string, unknown>;
type Payload = { status: boolean; message: string; clientMutationId?: unknown };

export interface ResolverDeps {
  store: ExtensionStore;
  reloads: ReloadManager;
  licenceLimit: () => number | null;
  count: (operation: string) => void;
  onWelcomeEmail: () => void;
  /** An extension was deleted (its phones' registrations go with it). */
  onDeleted?: (extensionId: string) => void;
  /**
   * A fault: null, or how the next add/update fails while still saying `status: true` (§8: `processQuickCreate`'s
   * failure array compared `== True`): nothing is written ('unchanged'), or, for an update, the old extension
   * was already deleted ('deleted').
   */
  silentFailure: () => 'unchanged' | 'deleted' | null;
}

const isNumeric = (value: unknown): boolean => typeof value === 'string' && /^[0-9]+$/.test(value);
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

function extensionView(extension: SimExtension | undefined, status?: { status: boolean; message: string }) {
  if (!extension) return { id: globalId('extension', ''), extensionId: null, tech: null, user: null, coreDevice: null, ...status };
  const id = extension.extensionId;
  const user = {
    id: globalId('coreuser', id),
    extension: id,
    name: extension.name,
    password: '',
    outboundCid: extension.outboundCid,
    extPassword: extension.secret,
    voicemail: extension.vmEnable ? 'default' : 'novm',
    ringtimer: 0,
    noanswer: '',
    recording: '',
    sipname: '',
    mohclass: 'default',
  };
  return {
    id: globalId('extension', id),
    extensionId: id,
    tech: extension.tech,
    user,
    coreDevice: {
      id: globalId('coredevice', id),
      deviceId: id,
      tech: extension.tech,
      dial: `${extension.tech.toUpperCase()}/${id}`,
      devicetype: 'fixed',
      user,
      description: extension.name,
      emergencyCid: extension.emergencyCid,
      callerId: `${extension.name} <${id}>`,
    },
    ...status,
  };
}

function connection(all: SimExtension[], args: { after?: string; first?: number; before?: string; last?: number }) {
  const cursor = (index: number) => Buffer.from(`arrayconnection:${index}`).toString('base64');
  const offset = (value: string) => Number(Buffer.from(value, 'base64').toString().split(':')[1]);
  let start = args.after !== undefined ? offset(args.after) + 1 : 0;
  let end = args.before !== undefined ? offset(args.before) : all.length;
  if (typeof args.first === 'number') end = Math.min(end, start + args.first);
  if (typeof args.last === 'number') start = Math.max(start, end - args.last);
  const edges = all.slice(start, end).map((extension, i) => ({ node: extensionView(extension), cursor: cursor(start + i) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < all.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: all.length,
    count: edges.length,
    extension: edges.map((edge) => edge.node),
    status: true,
    message: messages.foundAll,
  };
}

/** Relay's global id of a `module` row without an id, as `Relay::globalIdField` makes it. */
const moduleId = globalId('module', '');

export function createRootValue(deps: ResolverDeps) {
  const { store, reloads } = deps;
  const reply = (input: Input, status: boolean, message: string): Payload => ({
    status,
    message,
    clientMutationId: input.clientMutationId ?? null,
  });

  function create(input: Input): Payload {
    const extension = fromAddInput(input, freepbxGeneratedSecret());
    if (!validTechs.has(extension.tech)) return reply(input, false, messages.createFailed);
    if (deps.silentFailure()) return reply(input, true, messages.created);
    store.put(extension);
    if (extension.umEnable) deps.onWelcomeEmail();
    return reply(input, true, messages.created);
  }

  return {
    addExtension({ input }: { input: Input }): Payload {
      deps.count('addExtension');
      const limit = deps.licenceLimit();
      if (limit !== null && store.count() >= limit) return reply(input, false, messages.licence);
      if (input.umEnable === true && input.umPassword == null) return reply(input, false, messages.umPassword);
      if (!isNumeric(input.extensionId)) return reply(input, false, messages.numeric);
      if (store.get(String(input.extensionId))) return reply(input, false, messages.inUse);
      return create(input);
    },
    updateExtension({ input }: { input: Input }): Payload {
      deps.count('updateExtension');
      if (input.umEnable === true && input.umPassword == null) return reply(input, false, messages.umPassword);
      if (!isNumeric(input.extensionId)) return reply(input, false, messages.numeric);
      const existing = store.get(String(input.extensionId));
      if (!existing) return reply(input, false, messages.missingForUpdate);
      const replacement = fromUpdateInput(input, existing, str(input.extPassword) || freepbxGeneratedSecret());
      if (!validTechs.has(replacement.tech)) return reply(input, false, messages.updateFailed);
      const silent = deps.silentFailure();
      if (silent === 'deleted') store.remove(existing.extensionId);
      if (silent) return reply(input, true, messages.updated);
      store.remove(existing.extensionId);
      store.put(replacement);
      if (replacement.umEnable) deps.onWelcomeEmail();
      return reply(input, true, messages.updated);
    },
    deleteExtension({ input }: { input: Input }): Payload {
      deps.count('deleteExtension');
      if (!isNumeric(input.extensionId)) return reply(input, false, messages.numeric);
      if (!store.remove(String(input.extensionId))) return reply(input, false, messages.missingForUpdate);
      deps.onDeleted?.(String(input.extensionId));
      return reply(input, true, messages.deleted);
    },
    createRangeofExtension({ input }: { input: Input }): Payload {
      deps.count('createRangeofExtension');
      const limit = deps.licenceLimit();
      if (limit !== null && store.count() >= limit) return reply(input, false, messages.licence);
      const first = Number(input.startExtension);
      const howMany = Number(input.numberOfExtensions);
      for (let id = first; id < first + howMany; id++) {
        if (store.get(String(id))) continue;
        create({ ...input, extensionId: String(id), name: `${id}  ${str(input.name)}` });
      }
      return reply(input, true, messages.rangeCreated);
    },
    doreload({ input }: { input: Input }) {
      deps.count('doreload');
      const id = reloads.start();
      return { ...reply(input, true, messages.reloadStarted), transaction_id: id };
    },
    fetchExtension({ extensionId }: { extensionId?: string }) {
      deps.count('fetchExtension');
      const extension = extensionId == null ? undefined : store.get(String(extensionId));
      if (!extension) return extensionView(undefined, { status: false, message: messages.missingForFetch });
      return extensionView(extension, { status: true, message: messages.found });
    },
    fetchAllExtensions(args: { after?: string; first?: number; before?: string; last?: number }) {
      deps.count('fetchAllExtensions');
      return connection(store.list(), args);
    },
    fetchApiStatus({ txnId }: { txnId: string }) {
      deps.count('fetchApiStatus');
      const reload = reloads.status(String(txnId));
      if (!reload) return { id: moduleId, status: true, message: messages.unknownTxn, details: null };
      return { id: moduleId, status: true, message: reload.status, details: reload.details };
    },
    fetchNeedReload() {
      deps.count('fetchNeedReload');
      return { id: moduleId, status: true, message: store.needsReload() ? messages.reloadRequired : messages.reloadNotRequired, details: null };
    },
  };
}
