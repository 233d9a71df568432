import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommand } from '../../tools/testing/start-command.ts';
import { freeUdpAndTcpPort } from './support/ports.ts';
import { waitUntil } from './support/processes.ts';
import { signUpOverHttp } from './support/listening-service.ts';
import { GOOD_PASSWORD } from '../support/test-service.ts';
import { buildServiceImage, ensureBaseImages, podman, removeContainers, runCommand, uniqueName } from './support/podman.ts';

/**
 * The container image as an operator runs it: built from the repo's Containerfile on the local Node 24 base
 * (no registry is reachable here), started on an empty named volume with nothing configured (embedded
 * database, generated keys, no PBX), signed up through over HTTP, stopped with SIGTERM, and started again as a
 * new container on the same volume.
 */
const SIZE_LIMIT_MB = 250;
const DATA_DIR = '/var/lib/voip-onboarding';

describe('the container image: built on the local base, run on a volume, stopped by SIGTERM, restarted', () => {
  const volume = uniqueName('voip-e2e-data');
  const containers: string[] = [];
  let image: string;
  let baseUrl: string;
  let port: number;
  const user = { email: `image-${Date.now()}@example.com`, password: GOOD_PASSWORD, firstToken: '' };

  beforeAll(async () => {
    image = await buildServiceImage(await ensureBaseImages());
    port = await freeUdpAndTcpPort();
    baseUrl = `http://127.0.0.1:${port}`;
  }, 900_000);

  afterAll(async () => {
    await removeContainers({ containers, volumes: [volume] });
  });

  /** A new container of the image on the volume, published on `port`; resolves once /readyz answers 200. */
  async function startContainer(): Promise<string> {
    const name = uniqueName('voip-e2e-api');
    containers.push(name);
    await podman(['run', '--detach', '--name', name, '-p', `127.0.0.1:${port}:8000`, '-v', `${volume}:${DATA_DIR}`, '-e', `PUBLIC_BASE_URL=${baseUrl}`, image]);
    await waitUntil({
      timeoutMs: 60_000,
      intervalMs: 250,
      check: async () => {
        const state = await podman(['inspect', '--format', '{{.State.Running}}', name]);
        if (state.trim() !== 'true') throw new Error(`the container stopped during start-up:\n${await logs(name)}`);
        const response = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      describeFailure: () => `GET /readyz never answered 200 on ${baseUrl}`,
    });
    return name;
  }
  const logs = async (name: string) => {
    const { stdout, stderr } = await runCommand('podman', ['logs', '--tail', '40', name]);
    return `${stdout}${stderr}`;
  };
  const login = (password: string) =>
    fetch(`${baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password }) });

  it('runs node (not npm or a shell) as a non-root user, with DATA_DIR a volume and a HEALTHCHECK on /readyz', async () => {
    const [inspected] = JSON.parse(await podman(['image', 'inspect', image])) as [
      { Config: { User: string; Cmd: string[]; Env: string[]; Entrypoint?: string[] | null; Volumes: Record<string, unknown> }; Healthcheck?: { Test: string[] } },
    ];
    const config = inspected.Config;
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint ?? []).toEqual([]);
    expect(config.Cmd[0]).toBe('node');
    expect(Object.keys(config.Volumes)).toEqual([DATA_DIR]);
    expect(inspected.Healthcheck?.Test.join(' ')).toContain('/readyz');
    // The environment and flags of package.json's start script, and its bundle.
    const start = startCommand();
    expect(config.Cmd).toEqual(['node', ...start.nodeFlags, 'dist/main.mjs']);
    for (const [name, value] of Object.entries(start.env)) expect(config.Env).toContain(`${name}=${value}`);
  });

  it('holds production packages only: no npm cache, no sources, no TypeScript, no build tools', async () => {
    // As root: /root is not readable by the image's user, which would hide a cache there.
    const listing = await podman(['run', '--rm', '--user', '0', '--entrypoint', 'sh', image, '-c',
      'ls -A /app; echo ---; ls -A /root/.npm /home/*/.npm 2>&1; echo ---; ls /app/node_modules; ls /app/node_modules/@esbuild 2>&1; echo ---; ls /app/dist']);
    const [app, npmCache, modules, dist] = listing.split('---\n');
    expect(app!.trim().split('\n').sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(npmCache).toMatch(/No such file or directory/);
    expect(npmCache).not.toMatch(/_cacache/);
    for (const tool of ['typescript', 'esbuild', 'tsx', 'vitest', 'drizzle-kit', 'react']) expect(modules!.split('\n')).not.toContain(tool);
    expect(modules!.split('\n')).toEqual(expect.arrayContaining(['fastify', '@electric-sql', 'redoc', 'pino-pretty']));
    expect(dist!.split('\n')).toEqual(expect.arrayContaining(['main.mjs', 'cli.mjs', 'migrations']));
  });

  it(`is at most ${SIZE_LIMIT_MB} MB`, async () => {
    const bytes = Number(await podman(['image', 'inspect', '--format', '{{.Size}}', image]));
    console.log(`image size: ${(bytes / 1e6).toFixed(1)} MB`);
    expect(bytes / 1e6).toBeLessThanOrEqual(SIZE_LIMIT_MB);
  });

  it('starts on an empty volume, answers /readyz, takes a sign-up and a login, serves the API docs and the web page; its health check passes', async () => {
    const name = await startContainer();
    const ready = (await (await fetch(`${baseUrl}/readyz`)).json()) as Record<string, string>;
    expect(ready).toMatchObject({ status: 'ok', database: 'ok' });

    const signedUp = await signUpOverHttp(baseUrl, { email: user.email });
    user.firstToken = signedUp.token;
    expect(signedUp.registration.body.provisioning_status).toBe('active');
    const me = await fetch(`${baseUrl}/auth/me`, { headers: { authorization: `Bearer ${signedUp.token}` } });
    expect(me.status).toBe(200);
    // The pruned packages still serve what the service loads lazily or from files: ReDoc's bundle, a QR code.
    expect((await fetch(`${baseUrl}/redoc/redoc.standalone.js`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/docs`, { redirect: 'follow' })).status).toBe(200);
    // The self-service page was built into the image beside the bundle.
    const page = await fetch(`${baseUrl}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const script = /<script[^>]+src="([^"]+)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script!, `${baseUrl}/`))).status).toBe(200);
    const qr = await fetch(`${baseUrl}/sip/credentials/sip-uri/qr.png`, { headers: { authorization: `Bearer ${signedUp.token}` } });
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');

    expect((await runCommand('podman', ['healthcheck', 'run', name])).code).toBe(0);
    expect((await podman(['exec', name, 'id', '-u'])).trim()).toBe('10001');
  });

  it('SIGTERM (podman stop) ends it cleanly: exit code 0, well before the 20 s grace period', async () => {
    const name = containers.at(-1)!;
    const started = Date.now();
    await podman(['stop', '--time', '20', name], { timeoutMs: 30_000 });
    const stoppedAfterMs = Date.now() - started;
    const exitCode = Number(await podman(['inspect', '--format', '{{.State.ExitCode}}', name]));
    expect(exitCode, await logs(name)).toBe(0);
    expect(stoppedAfterMs).toBeLessThan(15_000);
    expect(await logs(name)).toContain('Shutting down');
  });

  it('the operator command line of the image (dist/cli.mjs) reads the account from the volume while the service is stopped', async () => {
    const out = await podman(['run', '--rm', '-v', `${volume}:${DATA_DIR}`, image, 'node', 'dist/cli.mjs', 'users', 'list', '--json']);
    expect(out).toContain(user.email);
  });

  it('a new container on the same volume still has the account and the generated keys: the old token and a new login work', async () => {
    await startContainer();
    const withOldToken = await fetch(`${baseUrl}/auth/me`, { headers: { authorization: `Bearer ${user.firstToken}` } });
    expect(withOldToken.status).toBe(200);
    const response = await login(user.password);
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    const me = (await (await fetch(`${baseUrl}/auth/me`, { headers: { authorization: `Bearer ${access_token}` } })).json()) as { email: string };
    expect(me.email).toBe(user.email);
    expect((await login(`${user.password}!`)).status).toBe(401);
  });
});
