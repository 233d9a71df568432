import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import { createFreepbxDriver } from './freepbx/freepbx-driver.ts';
import { createKamailioDriver } from './kamailio/kamailio-driver.ts';
import { createNoneDriver } from './none/none-driver.ts';
import type { PbxDriver } from './pbx-driver.ts';

/** Picks the driver PBX_DRIVER names; the only place that knows which PBXs exist. */
export function createPbxDriver({ config, logger }: { config: Config; logger: Logger }): PbxDriver {
  const { pbx } = config;
  switch (pbx.driver) {
    case 'freepbx': {
      const { host, auth, requestTimeoutMs, applyTimeoutMs, applyPollIntervalMs, ami } = pbx;
      if (auth.apiToken !== undefined) {
        logger.warn('FREEPBX_API_TOKEN is a fixed token: FreePBX tokens expire after one hour. Set FREEPBX_CLIENT_ID and FREEPBX_CLIENT_SECRET so tokens are renewed.');
      }
      return createFreepbxDriver({ baseUrl: host, ...auth, requestTimeoutMs, applyTimeoutMs, applyPollIntervalMs, ami, logger });
    }
    case 'kamailio':
      return createKamailioDriver({ databaseUrl: pbx.databaseUrl, domain: pbx.domain, passwordStorage: pbx.passwordStorage, logger });
    case 'none':
      logger.warn('No PBX configured (PBX_DRIVER=none): SIP accounts are allocated here only. Set FREEPBX_HOST or PBX_DRIVER to provision a real PBX.');
      return createNoneDriver();
  }
}
