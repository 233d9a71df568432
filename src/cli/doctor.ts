import nodemailer from 'nodemailer';
import { Redis } from 'ioredis';
import type { Config } from '../config/load-config.ts';
import { openDatabase } from '../db/open-database.ts';
import { createPbxDriver } from '../modules/pbx/create-pbx-driver.ts';
import { CliError, cliLogger, readConfig } from './cli-context.ts';

export type CheckStatus = 'ok' | 'warning' | 'fail';
export interface Check {
  name: string;
  status: CheckStatus;
  /** What was found, and for a warning or a failure what to do about it. */
  detail: string;
}

const timeout = <T>(ms: number, what: string, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => void setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms).unref())]);
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function checkDatabase(config: Config): Promise<Check> {
  try {
    const database = await timeout(60_000, 'the database', openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 }));
    await database.ping();
    await database.close();
    return { name: 'database', status: 'ok', detail: `${database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'} opens and is migrated` };
  } catch (error) {
    const owner = /in use by process (\d+)/.exec(reason(error));
    if (owner) return { name: 'database', status: 'ok', detail: `the embedded database is open in the running service (process ${owner[1]}); not opened here` };
    return { name: 'database', status: 'fail', detail: `cannot open it: ${reason(error)}. Check DATABASE_URL (or DATA_DIR) and that the server runs.` };
  }
}

async function checkPbx(config: Config): Promise<Check> {
  if (config.pbx.driver === 'none') return { name: 'pbx', status: 'warning', detail: 'no PBX configured (PBX_DRIVER=none): extensions exist here only. Set FREEPBX_HOST or PBX_DRIVER=kamailio.' };
  const driver = createPbxDriver({ config, logger: cliLogger() });
  try {
    const health = await timeout(20_000, 'the PBX', driver.checkHealth());
    return { name: 'pbx', status: health.ok ? (health.warning ? 'warning' : 'ok') : 'fail', detail: health.ok ? health.detail : `${health.detail}. Fix the PBX settings (${config.pbx.driver === 'freepbx' ? 'FREEPBX_HOST, FREEPBX_CLIENT_ID, FREEPBX_CLIENT_SECRET' : 'KAMAILIO_DATABASE_URL'}) or the PBX itself.` };
  } catch (error) {
    return { name: 'pbx', status: 'fail', detail: `${reason(error)}. Check that the PBX is reachable from here.` };
  } finally {
    await driver.close();
  }
}

async function checkSmtp(config: Config): Promise<Check> {
  if (!config.mail.smtpUrl) return { name: 'smtp', status: 'warning', detail: `SMTP_URL is not set: mails are written to ${config.mail.outboxDir} and nobody receives them. Set SMTP_URL to send them.` };
  const transport = nodemailer.createTransport(config.mail.smtpUrl);
  try {
    await timeout(15_000, 'the SMTP server', transport.verify());
    return { name: 'smtp', status: 'ok', detail: 'the SMTP server accepts our connection and login' };
  } catch (error) {
    return { name: 'smtp', status: 'fail', detail: `the SMTP server refused or is unreachable (${reason(error).replace(/\/\/[^@/]*@/, '//')}). Check SMTP_URL (host, port, user, password).` };
  } finally {
    transport.close();
  }
}

async function checkRedis(config: Config): Promise<Check> {
  if (!config.rateLimitRedisUrl) return { name: 'redis', status: 'ok', detail: 'not used (RATE_LIMIT_REDIS_URL unset: rate limits are counted per instance)' };
  const redis = new Redis(config.rateLimitRedisUrl, { connectTimeout: 3000, maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await timeout(5000, 'Redis', redis.connect().then(() => redis.ping()));
    return { name: 'redis', status: 'ok', detail: 'Redis answers' };
  } catch (error) {
    return { name: 'redis', status: 'fail', detail: `Redis does not answer (${reason(error)}). Check RATE_LIMIT_REDIS_URL and that Redis runs.` };
  } finally {
    redis.disconnect();
  }
}

async function checkPublicBaseUrl(config: Config): Promise<Check> {
  const url = config.provisioning.publicBaseUrl;
  if (!process.env.PUBLIC_BASE_URL) return { name: 'public_base_url', status: 'warning', detail: `PUBLIC_BASE_URL is not set: mailed links and QR codes point at ${url}, which only this machine can open. Set it to the address users reach.` };
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return { name: 'public_base_url', status: 'warning', detail: `${url}/healthz answered HTTP ${response.status}: is it this service?` };
    return { name: 'public_base_url', status: url.startsWith('https://') ? 'ok' : 'warning', detail: url.startsWith('https://') ? `${url} reaches the service` : `${url} reaches the service, but without TLS: put it behind HTTPS.` };
  } catch {
    return { name: 'public_base_url', status: 'warning', detail: `${url} does not answer from here (the service may be stopped, or only reachable from outside).` };
  }
}

/** Every check, in order; none throws. The configuration first: nothing else can be checked without it. */
export async function runDoctor(): Promise<Check[]> {
  let config: Config;
  try {
    config = readConfig();
  } catch (error) {
    return [{ name: 'configuration', status: 'fail', detail: error instanceof CliError ? error.message : reason(error) }];
  }
  const keys = [!config.jwtSecretKey && 'JWT_SECRET_KEY', !config.credentialsEncryptionKey && 'CREDENTIALS_ENCRYPTION_KEY'].filter(Boolean);
  const checks: Check[] = [
    keys.length
      ? { name: 'configuration', status: 'warning', detail: `valid, but ${keys.join(' and ')} not set: generated keys in ${config.dataDir}/secrets.json are used. Back that file up, or set them (required for several instances).` }
      : { name: 'configuration', status: 'ok', detail: 'valid' },
  ];
  checks.push(await checkDatabase(config), await checkPbx(config), await checkSmtp(config), await checkRedis(config), await checkPublicBaseUrl(config));
  return checks;
}
