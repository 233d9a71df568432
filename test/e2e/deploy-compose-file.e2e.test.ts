import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_DIR, envFile, prepareComposeStack, type ComposeStackSettings } from './support/compose-stack.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { requireProgram, waitUntil } from './support/processes.ts';
import { runSippRegister } from './support/sipp.ts';
import { podman, REPO_ROOT, runCommand, uniqueName } from './support/podman.ts';

/**
 * deploy/compose/compose.yaml itself, run by a compose tool (Debian's podman-compose 1.0.3; container names
 * resolve through the CNI dnsname plugin), with its .env beside it as an operator has it. The file is copied
 * into a directory of the run's own, its relative paths made absolute, so that a developer's own
 * deploy/compose/.env is neither read nor touched. podman-compose 1.0.3 starts services in order but does not
 * wait for PostgreSQL's health check: the replicas restart (restart: unless-stopped) until it is ready.
 */
const RELATIVE_PATHS: [string, string][] = [
  ['context: ../..\n', `context: ${REPO_ROOT}\n`],
  ['context: ../kamailio\n', `context: ${REPO_ROOT}deploy/kamailio\n`],
  ['- ./postgres-init:', `- ${COMPOSE_DIR}/postgres-init:`],
  ['- ../kamailio/schema.sql:', `- ${REPO_ROOT}deploy/kamailio/schema.sql:`],
];

describe('compose.yaml under podman-compose: two replicas, PostgreSQL, Redis and Kamailio', () => {
  const project = uniqueName('voipfile').replaceAll('-', '');
  let dir: string;
  let stack: ComposeStackSettings;
  const compose = (args: string[]) => runCommand('podman-compose', ['-f', join(dir, 'compose.yaml'), '-p', project, ...args], { timeoutMs: 300_000 });

  beforeAll(async () => {
    requireProgram('podman-compose', 'podman-compose golang-github-containernetworking-plugin-dnsname');
    stack = await prepareComposeStack();
    dir = await mkdtemp(join(tmpdir(), 'compose-file-e2e-'));
    let file = await readFile(`${COMPOSE_DIR}/compose.yaml`, 'utf8');
    for (const [relative, absolute] of RELATIVE_PATHS) {
      if (!file.includes(relative)) throw new Error(`compose.yaml no longer holds ${JSON.stringify(relative)}: update this test's RELATIVE_PATHS`);
      file = file.replaceAll(relative, absolute);
    }
    await writeFile(join(dir, 'compose.yaml'), file);
    await copyFile(`${COMPOSE_DIR}/api.env`, join(dir, 'api.env'));
    await writeFile(join(dir, '.env'), envFile(stack.env), { mode: 0o600 });
    const up = await compose(['up', '-d']);
    if (up.code !== 0) throw new Error(`podman-compose up exited ${up.code}:\n${up.stderr.slice(-3000)}`);
  }, 900_000);

  afterAll(async () => {
    if (dir) {
      await compose(['down', '-v']);
      await runCommand('podman', ['network', 'rm', '--force', `${project}_default`]);
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('both replicas become ready on the one PostgreSQL', async () => {
    for (const baseUrl of stack.api) {
      await waitUntil({
        timeoutMs: 90_000,
        intervalMs: 500,
        check: async () => {
          const response = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
          return response?.status === 200 ? ((await response.json()) as Record<string, string>) : undefined;
        },
        describeFailure: () => `${baseUrl}/readyz never answered 200`,
      }).then((ready) => expect(ready).toMatchObject({ database: 'ok', account_changes: 'listening' }));
    }
  });

  it('a sign-up through one replica reaches Kamailio, and sipp registers with the credentials from the other', async () => {
    const user = await signUpOverHttp(stack.api[0]);
    expect(user.registration.body.provisioning_status).toBe('active');
    const extension = Number(user.registration.body.sip_extension);
    const rows = await podman(['exec', `${project}_postgres_1`, 'psql', '-U', 'postgres', '-d', 'kamailio', '-tAc', `select count(*) from subscriber where username = '${extension}'`]);
    expect(rows.trim()).toBe('1');

    const credentials = await fetchSipCredentials(stack.api[1], user.token);
    expect(credentials.status).toBe(200);
    const sipp = await runSippRegister({ host: '127.0.0.1', port: stack.sipPort, domain: credentials.body.domain, users: [{ username: credentials.body.username, password: credentials.body.password }] });
    expect(sipp, sipp.outputTail).toMatchObject({ successful: 1, failed: 0, exitCode: 0 });
  });
});
