import type { FastifyInstance } from 'fastify';

/** Which API requests a fault applies to: the token endpoint, the GraphQL endpoint, or both. */
export type FaultTarget = 'any' | 'token' | 'gql';

interface CountedFault {
  count: number;
  target: FaultTarget;
}

const matches = (target: FaultTarget, url: string) =>
  target === 'any' || (target === 'token' ? url.startsWith('/admin/api/api/token') : url.startsWith('/admin/api/api/gql'));

/**
 * Network-level faults on the API routes (never on `/__sim/` control routes): slow answers, the next N
 * requests answering 5xx with an HTML page (as Apache does), the next N connections reset without a reply.
 */
export function createNetworkFaults() {
  let delayMs = 0;
  let failing: CountedFault & { status: number } = { count: 0, target: 'any', status: 503 };
  let resetting: CountedFault = { count: 0, target: 'any' };

  return {
    setDelayMs(ms: number): void {
      delayMs = Math.max(0, ms);
    },
    failNext(count: number, options: { status?: number; target?: FaultTarget } = {}): void {
      failing = { count, status: options.status ?? 503, target: options.target ?? 'any' };
    },
    resetNext(count: number, options: { target?: FaultTarget } = {}): void {
      resetting = { count, target: options.target ?? 'any' };
    },
    clear(): void {
      delayMs = 0;
      failing = { count: 0, target: 'any', status: 503 };
      resetting = { count: 0, target: 'any' };
    },
    install(app: FastifyInstance): void {
      app.addHook('onRequest', async (request, reply) => {
        const url = request.url;
        if (url.startsWith('/__sim/')) return;
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (resetting.count > 0 && matches(resetting.target, url)) {
          resetting.count--;
          reply.hijack();
          request.raw.socket.destroy();
          return;
        }
        if (failing.count > 0 && matches(failing.target, url)) {
          failing.count--;
          const status = failing.status;
          return reply
            .code(status)
            .type('text/html')
            .send(`<html><head><title>${status}</title></head><body><h1>${status} Service Unavailable</h1></body></html>`);
        }
      });
    },
  };
}

export type NetworkFaults = ReturnType<typeof createNetworkFaults>;
