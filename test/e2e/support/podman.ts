import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireProgram } from './processes.ts';

/**
 * Podman for the deployment suites (the machine has no Docker engine): every call gets containers.conf
 * (file limits this machine allows, runc), images are built on the local base images that
 * deploy/container/local-base.sh makes once and keeps, and npm inside a build gets the host's CA bundle as a
 * build secret (never a layer). Builds always run: podman's layer cache makes an unchanged one take seconds,
 * and a stale image of an earlier run can never be tested by mistake.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONTAINERS_CONF = fileURLToPath(new URL('./podman/containers.conf', import.meta.url));
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** The network of build steps: the host's, so npm and apt reach their registries as the host does. */
const BUILD_NETWORK = ['--network', 'host'];

/** The environment for podman and for the repo's scripts that call it. */
export const podmanEnv = (): NodeJS.ProcessEnv => ({ ...process.env, CONTAINERS_CONF });

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with podmanEnv; resolves with its exit code and output (never rejects on a non-zero code). */
export function runCommand(command: string, args: string[], { timeoutMs = 120_000, env = {} }: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...podmanEnv(), ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`));
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/**
 * `podman …`, throwing with its output unless it exits 0; resolves with its standard output. A secret goes in
 * `env` and is named in `args` (`--env NAME`), so that no error message can show it.
 */
export async function podman(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string> {
  requireProgram('podman', 'podman runc');
  const result = await runCommand('podman', args, options);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}:\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-2000)}`);
  return result.stdout;
}

export interface BaseImages {
  debian: string;
  node: string;
}

/** The local Debian 12 and Node 24 base images (deploy/container/local-base.sh; built on first use, then kept). */
export async function ensureBaseImages(): Promise<BaseImages> {
  requireProgram('podman', 'podman runc');
  requireProgram('debootstrap', 'debootstrap');
  const result = await runCommand('bash', [`${REPO_ROOT}deploy/container/local-base.sh`], { timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`deploy/container/local-base.sh exited ${result.code}:\n${result.stderr.slice(-4000)}`);
  const [debian, node] = result.stdout.trim().split('\n').slice(-2);
  if (!debian || !node) throw new Error(`deploy/container/local-base.sh printed no image names:\n${result.stdout}`);
  return { debian, node };
}

/**
 * `podman build` of `containerfile` (relative to the repo) in `context`, in the docker format (the OCI format
 * drops HEALTHCHECK), with the host's CA bundle as the `npm_ca` secret.
 */
export async function buildImage(args: { tag: string; containerfile: string; context: string; buildArgs: Record<string, string> }): Promise<string> {
  const secret = existsSync(CA_BUNDLE) ? ['--secret', `id=npm_ca,src=${CA_BUNDLE}`] : [];
  const buildArgs = Object.entries(args.buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
  await podman(['build', '--format', 'docker', ...BUILD_NETWORK, ...secret, ...buildArgs, '-f', `${REPO_ROOT}${args.containerfile}`, '-t', args.tag, `${REPO_ROOT}${args.context}`], {
    timeoutMs: 900_000,
  });
  return args.tag;
}

/** The service's image (the repo's Containerfile): built on the local Node base, run on the local Debian one. */
export const buildServiceImage = (base: BaseImages) =>
  buildImage({
    tag: 'localhost/voip-onboarding-api:e2e',
    containerfile: 'Containerfile',
    context: '.',
    buildArgs: { BASE_IMAGE: base.node, RUNTIME_BASE_IMAGE: base.debian },
  });

/** Removes containers and volumes a suite made, whatever state they are in. */
export async function removeContainers({ containers = [], volumes = [] }: { containers?: string[]; volumes?: string[] }): Promise<void> {
  for (const container of containers) await runCommand('podman', ['rm', '--force', '--time', '0', container]);
  for (const volume of volumes) await runCommand('podman', ['volume', 'rm', '--force', volume]);
}

/** A name no earlier or parallel run uses, for containers, volumes and compose projects. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
