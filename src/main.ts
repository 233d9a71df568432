import 'dotenv/config';
import { buildApp } from './app.ts';
import { buildDependencies } from './dependencies.ts';
import { ConfigError, loadConfig } from './config/load-config.ts';
import { resolveGeneratedSecrets } from './config/generated-secrets.ts';
import { chooseLogFormat, createLogger, stdoutLogDestination } from './shared/logger.ts';

/** Process entry: configuration, dependencies, the provisioning worker and the HTTP server; graceful stop. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, destination: stdoutLogDestination(chooseLogFormat(config.logFormat)) });
  config = resolveGeneratedSecrets({ config, logger });
  const deps = await buildDependencies({ config, logger });
  const app = await buildApp(deps);
  deps.worker.start();
  deps.mail.start();
  deps.retention.start();
  deps.unverifiedSweep.start();
  deps.registrationWatch?.start();
  deps.operator.imports.startResuming(); // imports a crashed process (or instance) left half-done
  await app.listen({ host: config.host, port: config.port });
  logger.info({ database: deps.database.kind, pbx: deps.driver.name }, `voip-onboarding-api ready: API docs at http://localhost:${config.port}/docs`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    const forced = setTimeout(() => process.exit(1), 15_000).unref();
    // Stops accepting and lets requests in flight finish while the worker stops claiming and finishes or
    // hands back its jobs (within its deadline, 8 s): together they fit the usual 10 s before a SIGKILL.
    await Promise.all([app.close(), deps.worker.stop()]);
    await deps.close();
    clearTimeout(forced);
    // Work the worker handed back at its stop deadline (a hung PBX call, a stuck reload) may still hold
    // timers or sockets: the database no longer knows it as ours, so nothing of it may keep us alive.
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('voip-onboarding-api failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
