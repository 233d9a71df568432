import 'dotenv/config';
import pino, { type Logger } from 'pino';
import { buildDependencies, type Dependencies } from '../dependencies.ts';
import { ConfigError, loadConfig, type Config } from '../config/load-config.ts';
import { resolveGeneratedSecrets } from '../config/generated-secrets.ts';
import { createLogger } from '../shared/logger.ts';

/** A failure the operator can act on: printed as it is (no stack), with exit code `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The service's configuration, read as main.ts reads it (environment, then .env). */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`The configuration is not valid:\n${error.message}`, 78);
    throw error;
  }
}

/** Warnings and errors only, on stderr: stdout is the command's own output (and its --json). */
export const cliLogger = (): Logger => createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'warn', destination: pino.destination(2) });

/**
 * The embedded database belongs to one process (src/db/data-dir-lock.ts). When the running service holds it,
 * say so in words and what to do instead of the lock's bare error.
 */
export function explainDatabaseError(error: unknown, config: Config): never {
  const message = error instanceof Error ? error.message : String(error);
  const owner = /in use by process (\d+)/.exec(message);
  if (owner && !config.databaseUrl) {
    throw new CliError(
      `The embedded database in ${config.dataDir} is held by the running service (process ${owner[1]}): only one process may open it.\n` +
        'Either stop the service, run this command, and start the service again;\n' +
        'or ask the running service through its admin API (POST /admin/reconcile, POST /admin/imports) with an admin\'s token;\n' +
        'or move to PostgreSQL (DATABASE_URL), where this command works beside running instances.',
    );
  }
  throw new CliError(`The database could not be opened: ${message}`);
}

/** The service's dependencies without its HTTP server or workers: what reconcile and import need. */
export async function withService<T>(run: (deps: Dependencies) => Promise<T>): Promise<T> {
  const config = readConfig();
  const logger = cliLogger();
  const deps = await buildDependencies({ config: resolveGeneratedSecrets({ config, logger }), logger }).catch((error: unknown) => explainDatabaseError(error, config));
  try {
    return await run(deps);
  } finally {
    await deps.close();
  }
}
