import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import { createFreepbxDriver } from './freepbx/freepbx-driver.ts';
import { createKamailioDriver } from './kamailio/kamailio-driver.ts';
import { createNoneDriver } from './none/none-driver.ts';
import type { PbxDriver } from './pbx-driver.ts';

/** Picks the driver PBX_DRIVER names; the only place that knows which PBXs exist. */
export function createPbxDriver({ config, logger }: { config: Config; logger: Logger }): PbxDriver {
  switch (config.pbxDriver) {
    case 'freepbx': {
      const { host, clientId, clientSecret, apiToken, requestTimeoutMs, applyTimeoutMs, applyPollIntervalMs } = config.freepbx;
      const useClientCredentials = Boolean(clientId && clientSecret);
      if (!useClientCredentials) {
        logger.warn('FREEPBX_API_TOKEN is a fixed token: FreePBX tokens expire after one hour. Set FREEPBX_CLIENT_ID and FREEPBX_CLIENT_SECRET so tokens are renewed.');
      }
      return createFreepbxDriver({
        baseUrl: host!,
        ...(useClientCredentials ? { clientId, clientSecret } : { apiToken }),
        requestTimeoutMs,
        applyTimeoutMs,
        applyPollIntervalMs,
        logger,
      });
    }
    case 'kamailio':
      return createKamailioDriver({
        databaseUrl: config.kamailio.databaseUrl!,
        domain: config.kamailio.domain,
        passwordStorage: config.kamailio.passwordStorage,
        logger,
      });
    case 'none':
      logger.warn('No PBX configured (PBX_DRIVER=none): SIP accounts are allocated here only. Set FREEPBX_HOST or PBX_DRIVER to provision a real PBX.');
      return createNoneDriver();
  }
}
