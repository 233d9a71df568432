import { parseHostPort } from './config.formats.ts';
import type { ConfigValues } from './config.schema.ts';

/**
 * The PBX settings for the driver PBX_DRIVER names (default: freepbx when FREEPBX_HOST is set, else none),
 * holding exactly what that driver needs: a FreePBX config without a host or credentials cannot be built.
 * A missing setting is reported in `problems`; the `none` settings then stand in, never used, because
 * loadConfig throws.
 */
export function pbxSettings(values: ConfigValues, problems: string[]) {
  const driver = values.PBX_DRIVER ?? (values.FREEPBX_HOST ? 'freepbx' : 'none');
  if (driver === 'freepbx') {
    const { FREEPBX_HOST: host, FREEPBX_CLIENT_ID: clientId, FREEPBX_CLIENT_SECRET: clientSecret, FREEPBX_API_TOKEN: apiToken } = values;
    const auth = clientId && clientSecret ? { clientId, clientSecret } : apiToken ? { apiToken } : undefined;
    if (!host) problems.push('PBX_DRIVER=freepbx needs FREEPBX_HOST');
    if (!auth) problems.push('PBX_DRIVER=freepbx needs FREEPBX_CLIENT_ID and FREEPBX_CLIENT_SECRET (or FREEPBX_API_TOKEN)');
    if (host && auth) {
      return {
        driver: 'freepbx' as const,
        host,
        /** Client credentials (tokens renewed), or a fixed token (expires after an hour). */
        auth,
        requestTimeoutMs: values.FREEPBX_REQUEST_TIMEOUT_MS,
        applyTimeoutMs: values.FREEPBX_APPLY_TIMEOUT_MS,
        applyPollIntervalMs: values.FREEPBX_APPLY_POLL_INTERVAL_MS,
        /** Asterisk's AMI, read for registrations; undefined: the driver cannot tell who registered. */
        ami: amiSettings(values, problems),
      };
    }
  }
  if (driver === 'kamailio') {
    if (!values.KAMAILIO_DATABASE_URL) problems.push('PBX_DRIVER=kamailio needs KAMAILIO_DATABASE_URL');
    else {
      return {
        driver: 'kamailio' as const,
        databaseUrl: values.KAMAILIO_DATABASE_URL,
        domain: values.KAMAILIO_DOMAIN ?? values.SIP_DOMAIN,
        passwordStorage: values.KAMAILIO_PASSWORD_STORAGE,
      };
    }
  }
  return { driver: 'none' as const };
}

/**
 * The optional AMI settings: all of host, user and secret, or none. Only some given is a mistake worth
 * stopping for (an operator who set a user meant the registrations to be read), never a silent "off".
 */
function amiSettings(values: ConfigValues, problems: string[]) {
  const { FREEPBX_AMI_HOST: hostPort, FREEPBX_AMI_USERNAME: username, FREEPBX_AMI_SECRET: secret } = values;
  if (!hostPort && !username && !secret) return undefined;
  if (!hostPort || !username || !secret) {
    // An invalid FREEPBX_AMI_HOST was reported already (and dropped): one problem is enough.
    if (!problems.some((problem) => problem.startsWith('FREEPBX_AMI_HOST '))) {
      problems.push('FREEPBX_AMI_HOST, FREEPBX_AMI_USERNAME and FREEPBX_AMI_SECRET go together: set all three (registrations read through the AMI) or none');
    }
    return undefined;
  }
  const tls = values.FREEPBX_AMI_TLS === 'true';
  const { host, port } = parseHostPort(hostPort);
  // Asterisk's manager.conf defaults: bindport 5038, tlsbindaddr port 5039. net.connect wants IPv6 unbracketed.
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port: port ?? (tls ? 5039 : 5038), tls, username, secret };
}
