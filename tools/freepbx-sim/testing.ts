import type { ContactStatus, SimContact } from './contacts.ts';
import { createFreepbxSimulator, type FreepbxSimulator, type FreepbxSimulatorOptions } from './server.ts';

export type { FreepbxSimulator, FreepbxSimulatorOptions };

/**
 * The reload delay is required: the tests that use the simulator depend on it for their timing (the contract and
 * driver tests use 50 ms, the service tests 150 ms), so none may fall back silently to the simulator's default.
 */
export type StartSimulatorOptions = FreepbxSimulatorOptions & { reloadDelayMs: number };

/** A simulator on a free port, started; the caller stops it. */
export async function startSimulator(options: StartSimulatorOptions): Promise<FreepbxSimulator> {
  const sim = createFreepbxSimulator(options);
  await sim.start();
  return sim;
}

/** The FreePBX driver's AMI settings for this simulator (started with `ami`): its first manager user, no TLS unless told. */
export function amiSettingsFor(sim: FreepbxSimulator, overrides: { username?: string; secret?: string; tls?: boolean; ca?: string } = {}) {
  const { host, port, users } = sim.ami;
  return { host, port, tls: false, username: users[0]!.username, secret: users[0]!.secret, ...overrides };
}

/** A phone registers with the live `extension`, sending `userAgent` (none: no User-Agent header). */
export function markRegistered(sim: FreepbxSimulator, extension: string, userAgent?: string, options: { status?: ContactStatus } = {}): SimContact {
  return sim.state.registerPhone({ extensionId: extension, userAgent, status: options.status });
}
