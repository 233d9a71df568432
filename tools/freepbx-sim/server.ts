import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createAmiServer, type AmiCounters, type SimManagerUser } from './ami-server.ts';
import { createContactStore, type RegisterPhone, type SimContact } from './contacts.ts';
import { registerControlRoutes } from './control-routes.ts';
import { createNetworkFaults, type FaultTarget } from './faults.ts';
import { registerGqlEndpoint, type ApiVersion } from './gql-endpoint.ts';
import { createKamailioPublisher, type KamailioPublishing } from './kamailio-publisher.ts';
import { createReloadManager, type ReloadCounters, type ReloadOutcome } from './reloads.ts';
import { createRootValue } from './resolvers.ts';
import type { FrameworkVersion } from './schema.graphql.ts';
import { createExtensionStore, freepbxGeneratedSecret, type LiveExtension, type SimExtension } from './state.ts';
import { registerTokenEndpoint } from './token-endpoint.ts';
import { createTokenStore, type SimClient } from './token-store.ts';

export interface FreepbxSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Default: one client with a random 64-hex id, a 32-hex secret and scope `gql`. */
  clients?: SimClient[];
  tokenLifetimeSeconds?: number;
  reloadDelayMs?: number;
  /**
   * The api module's generation (default 16). 16: a wrong client secret is a 401 `invalid_client`, a scope the
   * application may not use a 400 `invalid_scope`, a refused bearer a 401 `access_denied`, request errors a
   * 400. 17: the secret of a known client is not checked, any existing scope is granted, token errors carry
   * `error_description`, a refused bearer is Whoops' 500 naming `OAuthServerException`, request errors a 200
   * with `errors[]` (freepbx-api.md §8).
   */
  apiVersion?: ApiVersion;
  /**
   * The framework module's generation (default 17), separate from the api module's: 16 has no `doreload`,
   * no `fetchNeedReload` and no `module.details` ("Cannot query field …"), so no Apply Config over the API.
   */
  frameworkVersion?: FrameworkVersion;
  /** Maximum number of extensions; `addExtension` beyond it fails with the licence message. */
  licenceLimit?: number | null;
  publishToKamailio?: KamailioPublishing;
  /**
   * Asterisk's manager interface (AMI) beside the API, on its own TCP port (0, the default: a free one); the
   * same in both api modes. Default user: `onboarding`, a random 32-hex secret, write class `system`.
   */
  ami?: { port?: number; users?: SimManagerUser[]; tls?: { key: string; cert: string } };
}

export interface SimulatorCounters extends ReloadCounters {
  /** Calls per GraphQL root field that passed validation, e.g. `{ addExtension: 3, doreload: 1 }`. */
  operations: Record<string, number>;
  tokenRequests: number;
  gqlRequests: number;
  authFailures: number;
  welcomeEmailsSent: number;
  extensions: number;
  liveExtensions: LiveExtension[];
  /** Present when the AMI is on. */
  ami?: AmiCounters;
}

export type FreepbxSimulator = ReturnType<typeof createFreepbxSimulator>;

export function createFreepbxSimulator(options: FreepbxSimulatorOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const clients: SimClient[] = options.clients ?? [
    { clientId: randomBytes(32).toString('hex'), clientSecret: randomBytes(16).toString('hex'), allowedScopes: ['gql'] },
  ];
  let apiVersion: ApiVersion = options.apiVersion ?? 16;
  let frameworkVersion: FrameworkVersion = options.frameworkVersion ?? 17;
  /** Counted faults consumed by the resolvers and the GraphQL route. */
  let silentFailures: { count: number; update: 'unchanged' | 'deleted' } = { count: 0, update: 'unchanged' };
  let refusedTokens = 0;
  let licenceLimit = options.licenceLimit ?? null;
  let port = options.port ?? 0;
  let listening = false;
  let started = false;
  let refuseTimer: NodeJS.Timeout | undefined;
  let amiSilent = false;
  let amiPort = options.ami?.port ?? 0;
  const amiUsers: SimManagerUser[] = options.ami?.users ?? [{ username: 'onboarding', secret: randomBytes(16).toString('hex'), write: ['system'] }];

  const tokens = createTokenStore();
  const store = createExtensionStore();
  const network = createNetworkFaults();
  const contacts = createContactStore((extensionId) => store.live().some((entry) => entry.extensionId === extensionId));
  const amiServer = options.ami ? createAmiServer({ users: () => amiUsers, contacts: () => contacts.list(), silent: () => amiSilent, tls: options.ami.tls }) : undefined;
  const publisher = options.publishToKamailio ? createKamailioPublisher(options.publishToKamailio) : undefined;
  const reloads = createReloadManager({
    store,
    delayMs: () => options.reloadDelayMs ?? 100,
    onExecuting: publisher ? (live) => publisher.publish(live) : undefined,
  });
  const counts = { operations: {} as Record<string, number>, tokenRequests: 0, gqlRequests: 0, authFailures: 0, welcomeEmailsSent: 0 };
  const rootValue = createRootValue({
    store,
    reloads,
    licenceLimit: () => licenceLimit,
    count: (operation) => (counts.operations[operation] = (counts.operations[operation] ?? 0) + 1),
    onWelcomeEmail: () => counts.welcomeEmailsSent++,
    onDeleted: (extensionId) => void contacts.unregister(extensionId),
    silentFailure: () => (silentFailures.count > 0 ? (silentFailures.count--, silentFailures.update) : null),
  });

  let server!: http.Server;
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => (server = http.createServer(handler)),
  });
  network.install(app);
  registerTokenEndpoint(app, {
    clients,
    tokens,
    apiVersion: () => apiVersion,
    lifetimeSeconds: () => options.tokenLifetimeSeconds ?? 3600,
    onRequest: () => counts.tokenRequests++,
  });
  registerGqlEndpoint(app, {
    tokens,
    apiVersion: () => apiVersion,
    frameworkVersion: () => frameworkVersion,
    refuseValidToken: () => (refusedTokens > 0 ? (refusedTokens--, true) : false),
    rootValue,
    onRequest: () => counts.gqlRequests++,
    onAuthFailure: () => counts.authFailures++,
  });

  async function listen(): Promise<void> {
    if (listening) return;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    port = (server.address() as AddressInfo).port;
    listening = true;
  }

  async function unlisten(): Promise<void> {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  const sim = {
    clients,
    get apiVersion(): ApiVersion {
      return apiVersion;
    },
    get frameworkVersion(): FrameworkVersion {
      return frameworkVersion;
    },
    get url(): string {
      if (!port) throw new Error('FreePBX simulator not started');
      return `http://${host}:${port}`;
    },
    get port(): number {
      return port;
    },
    /** Where the AMI listens and its manager users; throws when the simulator was made without `ami`. */
    get ami(): { host: string; port: number; users: SimManagerUser[] } {
      if (!amiServer || !amiPort) throw new Error('FreePBX simulator has no AMI (start it with the ami option)');
      return { host, port: amiPort, users: amiUsers };
    },
    async start(): Promise<void> {
      await app.ready();
      if (publisher) await publisher.publish(store.live());
      await listen();
      if (amiServer) amiPort = await amiServer.listen(amiPort, host);
      started = true;
    },
    async stop(): Promise<void> {
      started = false;
      clearTimeout(refuseTimer);
      reloads.reset();
      await unlisten();
      await amiServer?.close();
      await app.close();
      await publisher?.close();
    },
    counters(): SimulatorCounters {
      return {
        ...counts,
        operations: { ...counts.operations },
        ...reloads.counters(),
        extensions: store.count(),
        liveExtensions: store.live(),
        ...(amiServer && { ami: amiServer.counters() }),
      };
    },
    faults: {
      setDelayMs: network.setDelayMs,
      failNext: (count: number, opts?: { status?: number; target?: FaultTarget }) => network.failNext(count, opts),
      resetNext: (count: number, opts?: { target?: FaultTarget }) => network.resetNext(count, opts),
      /** Stops listening (connections are refused) until `acceptConnections()` or, with `forMs`, by itself. */
      async refuseConnections(opts: { forMs?: number } = {}): Promise<void> {
        clearTimeout(refuseTimer);
        await unlisten();
        if (opts.forMs !== undefined) refuseTimer = setTimeout(() => void listen(), opts.forMs);
      },
      async acceptConnections(): Promise<void> {
        clearTimeout(refuseTimer);
        await listen();
      },
      expireAllTokens: () => tokens.expireAll(),
      setReloadOutcome: (outcome: ReloadOutcome, details?: string) => reloads.setOutcome(outcome, details),
      setLicenceLimit: (limit: number | null) => void (licenceLimit = limit),
      setApiVersion: (version: ApiVersion) => void (apiVersion = version),
      setFrameworkVersion: (version: FrameworkVersion) => void (frameworkVersion = version),
      /**
       * The next `count` addExtension/updateExtension calls answer `status: true` but write nothing (§8); with
       * `update: 'deleted'` an update leaves the extension deleted, as when the re-create after the delete fails.
       */
      silentFailNext: (count: number, opts: { update?: 'unchanged' | 'deleted' } = {}) =>
        void (silentFailures = { count, update: opts.update ?? 'unchanged' }),
      /** The next `count` GraphQL requests are refused as if their (valid) token were not, in this api's shape. */
      refuseTokensNext: (count: number) => void (refusedTokens = count),
      /** true: the AMI accepts connections and never sends a byte (no banner, no answer), as a hung Asterisk. */
      setAmiSilent: (silent: boolean) => void (amiSilent = silent),
      clear(): void {
        network.clear();
        reloads.setOutcome('executed');
        licenceLimit = options.licenceLimit ?? null;
        apiVersion = options.apiVersion ?? 16;
        frameworkVersion = options.frameworkVersion ?? 17;
        silentFailures = { count: 0, update: 'unchanged' };
        refusedTokens = 0;
        amiSilent = false;
      },
    },
    state: {
      /** An extension made by "someone else" on the PBX (live at once unless `live: false`). */
      seedExtension(args: { extensionId: string; name?: string; email?: string; secret?: string; live?: boolean }): SimExtension {
        const extension = store.put({
          extensionId: args.extensionId,
          tech: 'pjsip',
          name: args.name ?? `Someone else ${args.extensionId}`,
          email: args.email ?? '',
          outboundCid: '',
          emergencyCid: '',
          callerID: '',
          channelName: '',
          umEnable: false,
          umGroups: '1',
          umPassword: '',
          vmEnable: false,
          vmPassword: '',
          maxContacts: '1',
          secret: args.secret ?? freepbxGeneratedSecret(),
          owner: 'someone-else',
        });
        if (args.live !== false) store.markLive(extension);
        return extension;
      },
      extensions: () => store.list(),
      live: () => store.live(),
      liveSecret: (extensionId: string) => store.live().find((entry) => entry.extensionId === extensionId)?.secret,
      /** A phone registers with a live extension (throws for one Asterisk does not have live), as the AMI lists it. */
      registerPhone: (args: RegisterPhone): SimContact => contacts.register(args),
      /** The extension's phones unregister: its contacts are gone. */
      unregisterPhone: (extensionId: string): number => contacts.unregister(extensionId),
      contacts: (): SimContact[] => contacts.list(),
    },
    /** Back to an empty PBX with no faults, no tokens and zeroed counters (clients and port are kept). */
    reset(): void {
      clearTimeout(refuseTimer);
      if (started) void listen();
      sim.faults.clear();
      tokens.expireAll();
      store.reset();
      contacts.reset();
      amiServer?.resetCounters();
      reloads.reset();
      counts.operations = {};
      counts.tokenRequests = counts.gqlRequests = counts.authFailures = counts.welcomeEmailsSent = 0;
    },
  };

  registerControlRoutes(app, () => sim);
  return sim;
}
