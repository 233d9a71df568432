import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { HotHistogram } from '../../src/modules/metrics/hot-histogram.ts';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const observations: [number, string, string, number][] = [
  [0.0004, 'GET', '/sip/credentials', 200], [0.0005, 'GET', '/sip/credentials', 200], [0.003, 'GET', '/sip/credentials', 200],
  [0.2, 'POST', '/auth/login', 401], [12, 'POST', '/auth/login', 200], [0.01, 'GET', 'unmatched', 404], [0.0007, 'GET', '/sip/credentials', 200],
];

/** The text a registry serves for one histogram, its series sorted (their order is free in the format). */
async function text(registry: Registry): Promise<string> {
  const lines = (await registry.metrics()).split('\n');
  return [...lines.slice(0, 2), ...lines.slice(2).sort()].join('\n');
}

describe('the request-path histogram', () => {
  it('is served exactly as prom-client\'s own Histogram with the same observations', async () => {
    const reference = new Registry();
    const own = new Histogram({ name: 'h_seconds', help: 'Requests.', labelNames: ['method', 'route', 'status_code'], buckets, registers: [reference] });
    const hot = new Registry();
    const fast = new HotHistogram({ name: 'h_seconds', help: 'Requests.', labelNames: ['method', 'route', 'status_code'], buckets, registers: [hot] });
    for (const [seconds, method, route, status] of observations) {
      own.observe({ method, route, status_code: status }, seconds);
      fast.observe(seconds, method, route, status);
    }
    expect(await text(hot)).toBe(await text(reference));
    expect(await text(hot)).toContain('h_seconds_bucket{le="0.0005",method="GET",route="/sip/credentials",status_code="200"} 2');
    // As JSON too (the values without prom-client's empty exemplars, in any order).
    const values = async (registry: Registry) =>
      ((await registry.getMetricsAsJSON())[0]!.values as { metricName?: string; labels: object; value: number }[])
        .map(({ metricName, labels, value }) => JSON.stringify({ metricName, labels, value }))
        .sort();
    expect(await values(hot)).toEqual(await values(reference));
  });

  it('forgets its series on reset, as prom-client does', async () => {
    const registry = new Registry();
    const fast = new HotHistogram({ name: 'r_seconds', help: 'R.', labelNames: ['route'], buckets: [1], registers: [registry] });
    fast.observe(0.5, '/a');
    registry.resetMetrics();
    expect(await registry.metrics()).toBe('# HELP r_seconds R.\n# TYPE r_seconds histogram\n');
  });
});
