import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_DIR, envFile, prepareComposeStack, type ComposeStackSettings } from './support/compose-stack.ts';
import { registerWithLinphonec } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { waitUntil } from './support/processes.ts';
import { runSippRegister } from './support/sipp.ts';
import { podman, runCommand, uniqueName } from './support/podman.ts';

/**
 * The compose stack of deploy/compose, started by its podman twin deploy/compose/up.sh, which waits for every
 * health check (deploy-compose-file.e2e.test.ts runs compose.yaml itself under podman-compose): two replicas
 * of the service's image, PostgreSQL and Redis (CI's stand-in image for the official ones,
 * test/e2e/support/images), and Kamailio built from deploy/kamailio/Containerfile with the sample config, with
 * secrets from an env file written here. A sign-up through one replica reaches Kamailio, and sipp and
 * linphonec on the host register at Kamailio's published port with GET /sip/credentials.
 */
describe('the compose stack: two replicas, PostgreSQL, Redis and Kamailio, from a sign-up to a registered phone', () => {
  const project = uniqueName('voip-e2e');
  let dir: string;
  let stack: ComposeStackSettings;
  const exec = (service: string, argv: string[]) => podman(['exec', `${project}-${service}`, ...argv]);
  const kamailioSql = async (query: string) => (await exec('postgres', ['psql', '-U', 'postgres', '-d', 'kamailio', '-tAc', query])).trim();

  beforeAll(async () => {
    stack = await prepareComposeStack();
    dir = await mkdtemp(join(tmpdir(), 'compose-e2e-'));
    await writeFile(join(dir, '.env'), envFile(stack.env), { mode: 0o600 });
    const up = await runCommand('bash', [`${COMPOSE_DIR}/up.sh`, '--env-file', join(dir, '.env'), '--project', project], { timeoutMs: 300_000 });
    if (up.code !== 0) throw new Error(`up.sh exited ${up.code}:\n${up.stderr}\n${up.stdout}`);
  }, 900_000);

  afterAll(async () => {
    await runCommand('bash', [`${COMPOSE_DIR}/down.sh`, '--project', project, '--volumes'], { timeoutMs: 120_000 });
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('up.sh hands the replicas the variables compose.yaml sets, and starts the services and volumes compose.yaml lists', async () => {
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
    for (const baseUrl of stack.api) {
      const ready = (await (await fetch(`${baseUrl}/readyz`)).json()) as Record<string, string>;
      expect(ready).toMatchObject({ status: 'ok', database: 'ok', account_changes: 'listening' });
    }
    const user = await signUpOverHttp(stack.api[0]);
    const login = await fetch(`${stack.api[1]}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) });
    expect(login.status).toBe(200);
  });

  it('a sign-up reaches Kamailio, and sipp and linphonec register with the credentials at its published port', async () => {
    const user = await signUpOverHttp(stack.api[0], { displayName: 'Compose Test' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const extension = user.registration.body.sip_extension;
    expect(await kamailioSql(`select count(*) from subscriber where username = '${Number(extension)}'`)).toBe('1');

    const credentials = await fetchSipCredentials(stack.api[1], user.token);
    expect(credentials.status, JSON.stringify(credentials.body)).toBe(200);
    expect(credentials.body).toMatchObject({ username: extension, domain: '127.0.0.1', port: stack.sipPort, transport: 'udp' });

    const sipp = await runSippRegister({ host: '127.0.0.1', port: stack.sipPort, domain: credentials.body.domain, users: [{ username: credentials.body.username, password: credentials.body.password }] });
    expect(sipp, `${sipp.outputTail}\n--- kamailio ---\n${await logsOf('kamailio')}`).toMatchObject({ successful: 1, failed: 0, exitCode: 0 });

    const linphonec = await registerWithLinphonec({ credentials: credentials.body, proxyHost: credentials.body.domain, proxyPort: credentials.body.port });
    expect(linphonec.outcome, linphonec.outcome === 'failed' ? linphonec.logTail : '').toBe('ok');
    expect(Number(await kamailioSql(`select count(*) from location where username = '${Number(extension)}'`))).toBeGreaterThanOrEqual(1);

    // A wrong password is refused by Kamailio: the registration above was the credentials' doing.
    const wrong = await runSippRegister({ host: '127.0.0.1', port: stack.sipPort, domain: credentials.body.domain, users: [{ username: credentials.body.username, password: `${credentials.body.password}x` }] });
    expect(wrong.successful).toBe(0);
  });

  it('the service role may remove an account from Kamailio: DELETE /auth/me takes its subscriber and location rows', async () => {
    const user = await signUpOverHttp(stack.api[1]);
    const extension = Number(user.registration.body.sip_extension);
    const credentials = (await fetchSipCredentials(stack.api[1], user.token)).body;
    const sipp = await runSippRegister({ host: '127.0.0.1', port: stack.sipPort, domain: credentials.domain, users: [{ username: credentials.username, password: credentials.password }] });
    expect(sipp.successful).toBe(1);

    const deletion = await fetch(`${stack.api[1]}/auth/me`, {
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
    const withPassword = await podman(['exec', '--env', 'REDISCLI_AUTH', `${project}-redis`, 'redis-cli', 'dbsize'], { env: { REDISCLI_AUTH: stack.env.REDIS_PASSWORD! } });
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
