import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, event loop lag, GC, handles): they describe the process, not a
 * service, so they are collected once per process however many services it builds (tests build many, and
 * every collection starts a GC observer that is never stopped).
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
