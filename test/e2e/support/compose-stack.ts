import { randomBytes } from 'node:crypto';
import { freeUdpAndTcpPort, freeUdpPort } from './ports.ts';
import { buildImage, buildServiceImage, ensureBaseImages, REPO_ROOT } from './podman.ts';

export const COMPOSE_DIR = `${REPO_ROOT}deploy/compose`;

/** What a test of the compose stack needs: the settings of its .env, and where the replicas and Kamailio answer. */
export interface ComposeStackSettings {
  /** The .env of deploy/compose: fresh secrets, free host ports, the images built here. */
  env: Record<string, string>;
  api: [string, string];
  sipPort: number;
}

/**
 * Builds the stack's images on the local base images (the service's, Kamailio's, and CI's stand-in for the
 * official PostgreSQL and Redis images, which no registry gives here) and makes a .env for one run of it.
 */
export async function prepareComposeStack(): Promise<ComposeStackSettings> {
  const base = await ensureBaseImages();
  // At once: on a fresh machine the three builds mostly wait for downloads (npm, Debian's archive).
  const [apiImage, kamailioImage, servicesImage] = await Promise.all([
    buildServiceImage(base),
    buildImage({ tag: 'localhost/voip-kamailio:e2e', containerfile: 'deploy/kamailio/Containerfile', context: 'deploy/kamailio', buildArgs: { BASE_IMAGE: base.debian } }),
    buildImage({
      tag: 'localhost/voip-ci-services:e2e',
      containerfile: 'test/e2e/support/images/ci-services.Containerfile',
      context: 'test/e2e/support/images',
      buildArgs: { BASE_IMAGE: base.debian },
    }),
  ]);
  const [api1Port, api2Port, sipPort] = [await freeUdpAndTcpPort(), await freeUdpAndTcpPort(), await freeUdpPort()];
  const secret = () => randomBytes(32).toString('hex');
  const api: [string, string] = [`http://127.0.0.1:${api1Port}`, `http://127.0.0.1:${api2Port}`];
  const env = {
    POSTGRES_PASSWORD: secret(),
    VOIP_API_DB_PASSWORD: secret(),
    KAMAILIO_DB_PASSWORD: secret(),
    REDIS_PASSWORD: secret(),
    JWT_SECRET_KEY: secret(),
    CREDENTIALS_ENCRYPTION_KEY: secret(),
    METRICS_TOKEN: '',
    SMTP_URL: '',
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
    // up.sh's network: a subnet of its own, so that a network left behind by an interrupted run is not in the way.
    COMPOSE_SUBNET: `10.89.${100 + Math.floor(Math.random() * 150)}.0/24`,
  };
  return { env, api, sipPort };
}

/** The lines of an env file holding `env`. */
export const envFile = (env: Record<string, string>) => Object.entries(env).map(([name, value]) => `${name}=${value}\n`).join('');
