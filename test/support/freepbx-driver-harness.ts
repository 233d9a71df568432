import { Writable } from 'node:stream';
import pino from 'pino';
import type { FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { createFreepbxDriver, type FreepbxDriverOptions } from '../../src/modules/pbx/freepbx/freepbx-driver.ts';

export type Sim = FreepbxSimulator;

/** The reload delay of the driver tests' simulators (`startSimulator` in tools/freepbx-sim/testing.ts). */
export const DRIVER_RELOAD_DELAY_MS = 50;

/** Every driver test runs against both api module generations (their token checks and error shapes differ). */
export const API_VERSIONS = [16, 17] as const;

/** Log lines written by the driver, and every access token the simulator issued, to check for leaks. */
export function createDriverHarness(sim: Sim, overrides: Partial<FreepbxDriverOptions> = {}) {
  const logLines: string[] = [];
  const issuedTokens: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    }),
  );
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).endsWith('/admin/api/api/token') && response.ok) {
      const body = (await response.clone().json()) as { access_token: string };
      issuedTokens.push(body.access_token);
    }
    return response;
  };
  const client = sim.clients[0]!;
  const driver = createFreepbxDriver({
    baseUrl: sim.url,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    requestTimeoutMs: 1000,
    applyTimeoutMs: 2000,
    applyPollIntervalMs: 20,
    logger,
    fetch: recordingFetch,
    ...overrides,
  });
  return { driver, logLines, issuedTokens };
}

export const account = (extension: string, secret = `Sip-${extension}-${'x'.repeat(20)}`) => ({
  extension,
  secret,
  displayName: `User ${extension}`,
  email: `u${extension}@example.test`,
});

/** Runs `promise` and returns the error it rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
