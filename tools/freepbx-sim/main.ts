import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createFreepbxSimulator } from './server.ts';

/**
 * `npm run freepbx-sim [-- --api 16|17] [--framework 16|17] [--ami-port N]`: a stand-alone FreePBX API
 * simulator for manual tries and out-of-process tests. `--api` picks the api module's behaviour (token checks,
 * error shapes; see `apiVersion` in ./server.ts), `--framework` the framework's (16: no Apply Config over the
 * API), `--ami-port` turns on Asterisk's manager interface on that port (0: a free one; the same in both api
 * modes), with one manager user of write class `system`.
 *
 * FREEPBX_SIM_PORT                  port to listen on (default 8081)
 * FREEPBX_SIM_HOST                  address to bind (default 127.0.0.1; the /__sim/ routes have no auth)
 * FREEPBX_SIM_CLIENT_ID             OAuth client id (default: 64 random hex chars, printed)
 * FREEPBX_SIM_CLIENT_SECRET         OAuth client secret (default: 32 random hex chars, printed)
 * FREEPBX_SIM_RELOAD_DELAY_MS       how long an Apply Config takes (default 2000)
 * FREEPBX_SIM_TOKEN_LIFETIME_S      access token lifetime (default 3600)
 * FREEPBX_SIM_API_VERSION           16 or 17: the api module version (default 16; --api wins)
 * FREEPBX_SIM_FRAMEWORK_VERSION     16 or 17: the framework version (default 17; --framework wins)
 * FREEPBX_SIM_KAMAILIO_DATABASE_URL publish live extensions to this Kamailio database after each reload
 * FREEPBX_SIM_KAMAILIO_DOMAIN       the SIP domain of those subscribers (required with the URL)
 * FREEPBX_SIM_AMI_PORT              like --ami-port (--ami-port wins)
 * FREEPBX_SIM_AMI_USERNAME          the AMI manager user (default onboarding)
 * FREEPBX_SIM_AMI_SECRET            its secret (default: 32 random hex chars, printed)
 */
const env = process.env;
const number = (name: string, fallback: number) => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative number`);
  return parsed;
};

const { values: flags } = parseArgs({ options: { api: { type: 'string' }, framework: { type: 'string' }, 'ami-port': { type: 'string' } } });
const version = (name: string, value: string | undefined, fallback: 16 | 17): 16 | 17 => {
  if (value === undefined || value === '') return fallback;
  if (value !== '16' && value !== '17') throw new Error(`${name} must be 16 or 17`);
  return value === '16' ? 16 : 17;
};

const givenCredentials = Boolean(env.FREEPBX_SIM_CLIENT_ID && env.FREEPBX_SIM_CLIENT_SECRET);
const clientId = env.FREEPBX_SIM_CLIENT_ID || randomBytes(32).toString('hex');
const clientSecret = env.FREEPBX_SIM_CLIENT_SECRET || randomBytes(16).toString('hex');
const databaseUrl = env.FREEPBX_SIM_KAMAILIO_DATABASE_URL;
const domain = env.FREEPBX_SIM_KAMAILIO_DOMAIN;
if (databaseUrl && !domain) throw new Error('FREEPBX_SIM_KAMAILIO_DOMAIN is required with FREEPBX_SIM_KAMAILIO_DATABASE_URL');
const amiPortGiven = flags['ami-port'] ?? env.FREEPBX_SIM_AMI_PORT;
if (amiPortGiven !== undefined && amiPortGiven !== '' && !/^\d{1,5}$/.test(amiPortGiven)) throw new Error('--ami-port must be a port number');
const amiPort = amiPortGiven === undefined || amiPortGiven === '' ? undefined : Number(amiPortGiven);
const amiSecretGiven = Boolean(env.FREEPBX_SIM_AMI_SECRET);
const amiUser = { username: env.FREEPBX_SIM_AMI_USERNAME || 'onboarding', secret: env.FREEPBX_SIM_AMI_SECRET || randomBytes(16).toString('hex'), write: ['system'] };

const sim = createFreepbxSimulator({
  port: number('FREEPBX_SIM_PORT', 8081),
  host: env.FREEPBX_SIM_HOST || '127.0.0.1',
  clients: [{ clientId, clientSecret, allowedScopes: ['gql'] }],
  reloadDelayMs: number('FREEPBX_SIM_RELOAD_DELAY_MS', 2000),
  tokenLifetimeSeconds: number('FREEPBX_SIM_TOKEN_LIFETIME_S', 3600),
  apiVersion: version('--api', flags.api ?? env.FREEPBX_SIM_API_VERSION, 16),
  frameworkVersion: version('--framework', flags.framework ?? env.FREEPBX_SIM_FRAMEWORK_VERSION, 17),
  publishToKamailio: databaseUrl && domain ? { databaseUrl, domain } : undefined,
  ami: amiPort === undefined ? undefined : { port: amiPort, users: [amiUser] },
});

await sim.start();
console.log(`FreePBX simulator listening on ${sim.url} (api ${sim.apiVersion}, framework ${sim.frameworkVersion})`);
console.log(`  token:    POST ${sim.url}/admin/api/api/token`);
console.log(`  graphql:  POST ${sim.url}/admin/api/api/gql`);
console.log(`  counters: GET  ${sim.url}/__sim/counters`);
if (!givenCredentials) {
  // Generated for this run only; printing them is the point (there is no other way to learn them).
  console.log(`  FREEPBX_CLIENT_ID=${clientId}`);
  console.log(`  FREEPBX_CLIENT_SECRET=${clientSecret}`);
}
if (amiPort !== undefined) {
  console.log(`  AMI:      ${sim.ami.host}:${sim.ami.port} (manager user ${amiUser.username})`);
  console.log(`  phones:   POST ${sim.url}/__sim/registrations {"extensionId":"1000","userAgent":"Linphone/5.2"}`);
  // Generated for this run only, like the client secret above.
  if (!amiSecretGiven) console.log(`  FREEPBX_AMI_SECRET=${amiUser.secret}`);
}
if (databaseUrl) console.log(`  publishing live extensions to Kamailio (domain ${domain})`);

const shutdown = async () => {
  await sim.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
