import { buildApp } from '../src/app.ts';
import { buildDependencies } from '../src/dependencies.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { resolveGeneratedSecrets } from '../src/config/generated-secrets.ts';
import { createLogger } from '../src/shared/logger.ts';

/**
 * The service as main.ts builds it, except that with BENCH_ACCESS_LOG=off the credential routes record to
 * nothing: the yardstick bench/access-log-overhead.ts compares recording against.
 */
const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel });
const recording = process.env.BENCH_ACCESS_LOG !== 'off';
const deps = await buildDependencies({
  config: resolveGeneratedSecrets({ config, logger }),
  logger,
  overrides: recording ? {} : { credentialAccess: { replaceRecorder: { record: () => {} } } },
});
const app = await buildApp(deps);
deps.worker.start();
await app.listen({ host: config.host, port: config.port });
process.once('SIGTERM', () => {
  void app.close().then(() => deps.close()).then(() => process.exit(0));
});
