import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { LIST_PAGE_SIZE } from '../../../src/modules/pbx/freepbx/freepbx.listing.ts';
import { provisioningMarker } from '../../../src/modules/pbx/freepbx/freepbx-driver.ts';
import { account, API_VERSIONS, createDriverHarness, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

describe.each(API_VERSIONS)('FreePBX driver: listing the extensions of a range (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, apiVersion });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('lists only the numbers of the range, each compared with its secret without handing it out', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000', 'Ours-1000-xxxxxxxxxxxxxxxx'));
    sim.state.seedExtension({ extensionId: '1001', name: 'Reception', secret: 'their-secret' });
    sim.state.seedExtension({ extensionId: '999', name: 'Below the range' });
    sim.state.seedExtension({ extensionId: '2000', name: 'Above the range' });

    const listed = await driver.listAccounts!({ first: 1000, last: 1999 });

    expect(listed.map((entry) => entry.extension)).toEqual(['1000', '1001']);
    expect(listed[0]!.hasSecret('Ours-1000-xxxxxxxxxxxxxxxx')).toBe(true);
    expect(listed[0]!.hasSecret('something else')).toBe(false);
    expect(listed[1]!.hasSecret('their-secret')).toBe(true);
    expect(listed.every((entry) => entry.marked === false)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain('Ours-1000');
  });

  it('a half-made extension (between add and update) carries our marker', async () => {
    const half = account('1005');
    sim.state.seedExtension({ extensionId: '1005', name: provisioningMarker(half), secret: 'generated-by-freepbx' });
    const { driver } = createDriverHarness(sim);
    const [listed] = await driver.listAccounts!({ first: 1000, last: 1999 });
    expect(listed).toMatchObject({ extension: '1005', marked: true });
  });

  it('walks every page of fetchAllExtensions', async () => {
    const total = LIST_PAGE_SIZE * 2 + 3;
    for (let i = 0; i < total; i++) sim.state.seedExtension({ extensionId: String(10_000 + i), secret: `s-${i}` });
    const { driver } = createDriverHarness(sim);
    const listed = await driver.listAccounts!({ first: 10_000, last: 19_999 });
    expect(listed).toHaveLength(total);
    expect(new Set(listed.map((entry) => entry.extension)).size).toBe(total);
    expect(sim.counters().operations).toMatchObject({ fetchAllExtensions: 3 });
  });
});
