import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWithLinphonec } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { freeUdpAndTcpPort, freeUdpPort } from './support/ports.ts';
import { waitUntil } from './support/processes.ts';
import { runSippRegister } from './support/sipp.ts';
import { buildImage, buildServiceImage, ensureBaseImages, podman, REPO_ROOT, runCommand, uniqueName } from './support/podman.ts';

/**
 * The compose stack of deploy/compose, started by its podman twin deploy/compose/up.sh (this machine has no
 * compose tool): two replicas of the service's image, PostgreSQL and Redis (CI's stand-in image for the
 * official ones, test/e2e/support/images), and Kamailio built from deploy/kamailio/Containerfile with the
 * sample config, with secrets from an env file written here. A sign-up through one replica reaches Kamailio,
 * and sipp and linphonec on the host register at Kamailio's published port with GET /sip/credentials.
 */
const COMPOSE_DIR = `${REPO_ROOT}deploy/compose`;

describe('the compose stack: two replicas, PostgreSQL, Redis and Kamailio, from a sign-up to a registered phone', () => {
  const project = uniqueName('voip-e2e');
  let dir: string;
  const api: string[] = [];
  let sipPort: number;
  const secrets = Object.fromEntries(
    ['POSTGRES_PASSWORD', 'VOIP_API_DB_PASSWORD', 'KAMAILIO_DB_PASSWORD', 'REDIS_PASSWORD', 'JWT_SECRET_KEY', 'CREDENTIALS_ENCRYPTION_KEY'].map((name) => [name, randomBytes(32).toString('hex')]),
  );
  const exec = (service: string, argv: string[]) => podman(['exec', `${project}-${service}`, ...argv]);
  const kamailioSql = async (query: string) => (await exec('postgres', ['psql', '-U', 'postgres', '-d', 'kamailio', '-tAc', query])).trim();

  beforeAll(async () => {
    const base = await ensureBaseImages();
    const apiImage = await buildServiceImage(base);
    const kamailioImage = await buildImage({ tag: 'localhost/voip-kamailio:e2e', containerfile: 'deploy/kamailio/Containerfile', context: 'deploy/kamailio', buildArgs: { BASE_IMAGE: base.debian } });
    const servicesImage = await buildImage({
      tag: 'localhost/voip-ci-services:e2e',
      containerfile: 'test/e2e/support/images/ci-services.Containerfile',
      context: 'test/e2e/support/images',
      buildArgs: { BASE_IMAGE: base.debian },
    });
    const [api1Port, api2Port] = [await freeUdpAndTcpPort(), await freeUdpAndTcpPort()];
    sipPort = await freeUdpPort();
    api.push(`http://127.0.0.1:${api1Port}`, `http://127.0.0.1:${api2Port}`);
    dir = await mkdtemp(join(tmpdir(), 'compose-e2e-'));
    const settings = {
      ...secrets,
      PUBLIC_BASE_URL: api[0],
      // The phone on this host reaches Kamailio at 127.0.0.1 on the published port: what it is told.
      SIP_DOMAIN: '127.0.0.1',
      SIP_PORT: String(sipPort),
      SIP_BIND: '127.0.0.1',
      API_1_PORT: String(api1Port),
      API_2_PORT: String(api2Port),
      API_IMAGE: apiImage,
      KAMAILIO_IMAGE: kamailioImage,
      POSTGRES_IMAGE: servicesImage,
      REDIS_IMAGE: servicesImage,
      // A subnet of its own, so that a network left behind by an interrupted run cannot be in the way.
      COMPOSE_SUBNET: `10.89.${100 + Math.floor(Math.random() * 150)}.0/24`,
    };
    await writeFile(join(dir, '.env'), Object.entries(settings).map(([name, value]) => `${name}=${value}\n`).join(''), { mode: 0o600 });
    const up = await runCommand('bash', [`${COMPOSE_DIR}/up.sh`, '--env-file', join(dir, '.env'), '--project', project], { timeoutMs: 300_000 });
    if (up.code !== 0) throw new Error(`up.sh exited ${up.code}:\n${up.stderr}\n${up.stdout}`);
  }, 900_000);

  afterAll(async () => {
    await runCommand('bash', [`${COMPOSE_DIR}/down.sh`, '--project', project, '--volumes'], { timeoutMs: 120_000 });
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('up.sh hands the replicas the variables compose.yaml sets, and starts the services compose.yaml lists', async () => {
    const compose = await readFile(`${COMPOSE_DIR}/compose.yaml`, 'utf8');
    const upScript = await readFile(`${COMPOSE_DIR}/up.sh`, 'utf8');
    const apiBlock = compose.slice(compose.indexOf('x-api:'), compose.indexOf('\nservices:'));
    const composeVariables = [...apiBlock.slice(apiBlock.indexOf('environment:')).matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]).sort();
    const apiEnvLine = upScript.slice(upScript.indexOf('api_env=('), upScript.indexOf('--stop-timeout'));
    const scriptVariables = [...apiEnvLine.matchAll(/-e ([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]).sort();
    expect(composeVariables.length).toBeGreaterThan(5);
    expect(scriptVariables).toEqual(composeVariables);
    const servicesBlock = compose.slice(compose.indexOf('\nservices:'), compose.indexOf('\nvolumes:'));
    const composeServices = [...servicesBlock.matchAll(/^ {2}([a-z][a-z0-9-]+):$/gm)].map((match) => match[1]).sort();
    const scriptServices = [...upScript.matchAll(/^run ([a-z][a-z0-9-]+) /gm)].map((match) => match[1]).sort();
    expect(scriptServices).toEqual(composeServices);
    const composeVolumes = [...compose.slice(compose.indexOf('\nvolumes:')).matchAll(/^ {2}([a-z][a-z0-9-]+):$/gm)].map((match) => match[1]).sort();
    const scriptVolumes = [...new Set([...upScript.matchAll(/\$\{project\}_([a-z][a-z0-9-]+):\//g)].map((match) => match[1]))].sort();
    expect(scriptVolumes).toEqual(composeVolumes);
  });

  it('both replicas are ready on one PostgreSQL: a user signed up through one logs in through the other', async () => {
    for (const baseUrl of api) {
      const ready = (await (await fetch(`${baseUrl}/readyz`)).json()) as Record<string, string>;
      expect(ready).toMatchObject({ status: 'ok', database: 'ok', account_changes: 'listening' });
    }
    const user = await signUpOverHttp(api[0]!);
    const login = await fetch(`${api[1]}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) });
    expect(login.status).toBe(200);
  });

  it('a sign-up reaches Kamailio, and sipp and linphonec register with the credentials at its published port', async () => {
    const user = await signUpOverHttp(api[0]!, { displayName: 'Compose Test' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const extension = user.registration.body.sip_extension;
    expect(await kamailioSql(`select count(*) from subscriber where username = '${Number(extension)}'`)).toBe('1');

    const credentials = await fetchSipCredentials(api[1]!, user.token);
    expect(credentials.status, JSON.stringify(credentials.body)).toBe(200);
    expect(credentials.body).toMatchObject({ username: extension, domain: '127.0.0.1', port: sipPort, transport: 'udp' });

    const sipp = await runSippRegister({ host: '127.0.0.1', port: sipPort, domain: credentials.body.domain, users: [{ username: credentials.body.username, password: credentials.body.password }] });
    expect(sipp, `${sipp.outputTail}\n--- kamailio ---\n${await logsOf('kamailio')}`).toMatchObject({ successful: 1, failed: 0, exitCode: 0 });

    const linphonec = await registerWithLinphonec({ credentials: credentials.body, proxyHost: credentials.body.domain, proxyPort: credentials.body.port });
    expect(linphonec.outcome, linphonec.outcome === 'failed' ? linphonec.logTail : '').toBe('ok');
    expect(Number(await kamailioSql(`select count(*) from location where username = '${Number(extension)}'`))).toBeGreaterThanOrEqual(1);

    // A wrong password is refused by Kamailio: the registration above was the credentials' doing.
    const wrong = await runSippRegister({ host: '127.0.0.1', port: sipPort, domain: credentials.body.domain, users: [{ username: credentials.body.username, password: `${credentials.body.password}x` }] });
    expect(wrong.successful).toBe(0);
  });

  it('the service role may remove an account from Kamailio: DELETE /auth/me takes its subscriber and location rows', async () => {
    const user = await signUpOverHttp(api[1]!);
    const extension = Number(user.registration.body.sip_extension);
    const credentials = (await fetchSipCredentials(api[1]!, user.token)).body;
    const sipp = await runSippRegister({ host: '127.0.0.1', port: sipPort, domain: credentials.domain, users: [{ username: credentials.username, password: credentials.password }] });
    expect(sipp.successful).toBe(1);

    const deletion = await fetch(`${api[1]}/auth/me`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: user.password }),
    });
    expect(deletion.status).toBe(202);
    await waitUntil({
      timeoutMs: 20_000,
      intervalMs: 250,
      check: async () => ((await kamailioSql(`select (select count(*) from subscriber where username = '${extension}') + (select count(*) from location where username = '${extension}')`)) === '0' ? true : undefined),
      describeFailure: () => `extension ${extension} still has subscriber or location rows`,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- api-1 ---\n${await logsOf('api-1')}\n--- api-2 ---\n${await logsOf('api-2')}`);
    });
  });

  it('both replicas count rate limits in the one Redis, reached with its password', async () => {
    const withPassword = await podman(['exec', '--env', 'REDISCLI_AUTH', `${project}-redis`, 'redis-cli', 'dbsize'], { env: { REDISCLI_AUTH: secrets.REDIS_PASSWORD! } });
    const keys = Number(withPassword.trim());
    expect(keys).toBeGreaterThan(0);
    const refused = await runCommand('podman', ['exec', `${project}-redis`, 'redis-cli', 'dbsize']);
    expect(refused.stdout + refused.stderr).toMatch(/NOAUTH/);
  });

  const logsOf = async (service: string) => {
    const { stdout, stderr } = await runCommand('podman', ['logs', '--tail', '30', `${project}-${service}`]);
    return `${stdout}${stderr}`;
  };
});
