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
