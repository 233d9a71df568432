import type { FastifyInstance } from 'fastify';
import type { FaultTarget } from './faults.ts';
import type { ReloadOutcome } from './reloads.ts';
import type { ContactStatus, RegisterPhone, SimContact } from './contacts.ts';
import type { SimExtension } from './state.ts';

type Body = Record<string, unknown>;

/** The parts of the simulator these routes drive (declared here, so server.ts can register them without a cycle). */
export interface SimulatorControls {
  counters(): unknown;
  reset(): void;
  state: {
    extensions(): unknown;
    live(): unknown;
    seedExtension(args: { extensionId: string; name?: string; email?: string; secret?: string; live?: boolean }): SimExtension;
    registerPhone(args: RegisterPhone): SimContact;
    unregisterPhone(extensionId: string): number;
    contacts(): SimContact[];
  };
  faults: {
    setDelayMs(ms: number): void;
    failNext(count: number, options: { status: number; target: FaultTarget }): void;
    resetNext(count: number, options: { target: FaultTarget }): void;
    refuseConnections(options: { forMs?: number }): Promise<void>;
    expireAllTokens(): void;
    setReloadOutcome(outcome: ReloadOutcome, details?: string): void;
    setLicenceLimit(limit: number | null): void;
    setApiVersion(version: 16 | 17): void;
    setFrameworkVersion(version: 16 | 17): void;
    silentFailNext(count: number, options: { update?: 'unchanged' | 'deleted' }): void;
    refuseTokensNext(count: number): void;
    setAmiSilent(silent: boolean): void;
    clear(): void;
  };
}

const num = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const STATUSES: readonly ContactStatus[] = ['Reachable', 'Unreachable', 'NonQualified', 'Unknown'];
const target = (value: unknown): FaultTarget => (value === 'token' || value === 'gql' ? value : 'any');

/**
 * `/__sim/` routes so an operator or an out-of-process test can read counters and inject faults over HTTP.
 * They are never subject to the injected faults themselves. No authentication: bind to 127.0.0.1.
 */
export function registerControlRoutes(app: FastifyInstance, sim: () => SimulatorControls) {
  app.get('/__sim/counters', async () => sim().counters());
  app.get('/__sim/extensions', async () => ({ extensions: sim().state.extensions(), live: sim().state.live() }));
  app.post('/__sim/extensions', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    if (typeof body.extensionId !== 'string' || !/^[0-9]+$/.test(body.extensionId)) {
      return reply.code(400).send({ error: 'extensionId (numeric string) is required' });
    }
    const seeded = sim().state.seedExtension({
      extensionId: body.extensionId,
      name: typeof body.name === 'string' ? body.name : undefined,
      email: typeof body.email === 'string' ? body.email : undefined,
      secret: typeof body.secret === 'string' ? body.secret : undefined,
      live: body.live !== false,
    });
    return reply.code(201).send(seeded);
  });
  // A phone registering with a live extension (what the AMI's contact lists then show), and unregistering.
  app.get('/__sim/registrations', async () => ({ contacts: sim().state.contacts() }));
  app.post('/__sim/registrations', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    if (typeof body.extensionId !== 'string' || !/^[0-9]+$/.test(body.extensionId)) {
      return reply.code(400).send({ error: 'extensionId (numeric string) is required' });
    }
    try {
      const contact = sim().state.registerPhone({
        extensionId: body.extensionId,
        userAgent: typeof body.userAgent === 'string' ? body.userAgent : undefined,
        status: STATUSES.find((status) => status === body.status),
        expiresInSeconds: typeof body.expiresInSeconds === 'number' ? body.expiresInSeconds : undefined,
      });
      return reply.code(201).send(contact);
    } catch (error) {
      return reply.code(409).send({ error: (error as Error).message });
    }
  });
  app.delete('/__sim/registrations/:extensionId', async (request) => ({
    removed: sim().state.unregisterPhone((request.params as { extensionId: string }).extensionId),
  }));
  app.post('/__sim/reset', async () => {
    sim().reset();
    return { ok: true };
  });

  const fault = (name: string, apply: (body: Body) => void | Promise<void>) =>
    app.post(`/__sim/faults/${name}`, async (request) => {
      await apply((request.body ?? {}) as Body);
      return { ok: true };
    });
  fault('delay', (body) => sim().faults.setDelayMs(num(body.ms, 0)));
  fault('fail-next', (body) => sim().faults.failNext(num(body.count, 1), { status: num(body.status, 503), target: target(body.target) }));
  fault('reset-next', (body) => sim().faults.resetNext(num(body.count, 1), { target: target(body.target) }));
  // Over HTTP the refusal must end by itself (nothing could reach this route to lift it), and it starts once
  // this answer has been sent, since refusing also closes the connection carrying it.
  app.post('/__sim/faults/refuse-connections', async (request, reply) => {
    const forMs = num(((request.body ?? {}) as Body).forMs, 1000);
    reply.raw.once('finish', () => void sim().faults.refuseConnections({ forMs }));
    return { ok: true };
  });
  fault('expire-tokens', () => sim().faults.expireAllTokens());
  fault('reload-outcome', (body) => {
    const outcome: ReloadOutcome = body.outcome === 'failed' || body.outcome === 'stuck' ? body.outcome : 'executed';
    sim().faults.setReloadOutcome(outcome, typeof body.details === 'string' ? body.details : undefined);
  });
  fault('licence-limit', (body) => sim().faults.setLicenceLimit(typeof body.limit === 'number' ? body.limit : null));
  fault('api-version', (body) => sim().faults.setApiVersion(body.version === 17 ? 17 : 16));
  fault('framework-version', (body) => sim().faults.setFrameworkVersion(body.version === 16 ? 16 : 17));
  fault('silent-fail-next', (body) =>
    sim().faults.silentFailNext(num(body.count, 1), { update: body.update === 'deleted' ? 'deleted' : 'unchanged' }),
  );
  fault('refuse-tokens-next', (body) => sim().faults.refuseTokensNext(num(body.count, 1)));
  fault('ami-silent', (body) => sim().faults.setAmiSilent(body.silent !== false));
  fault('clear', () => sim().faults.clear());
}
