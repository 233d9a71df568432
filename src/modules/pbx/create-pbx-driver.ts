import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import { createNoneDriver } from './none/none-driver.ts';
import type { PbxDriver } from './pbx-driver.ts';

/** Picks the driver PBX_DRIVER names; the only place that knows which PBXs exist. */
export async function createPbxDriver({ config, logger }: { config: Config; logger: Logger }): Promise<PbxDriver> {
  switch (config.pbxDriver) {
    case 'none':
      logger.warn('No PBX configured (PBX_DRIVER=none): SIP accounts are allocated here only. Set FREEPBX_HOST or PBX_DRIVER to provision a real PBX.');
      return createNoneDriver();
    default:
      throw new Error(`PBX_DRIVER=${config.pbxDriver} is not available in this build`);
  }
}
