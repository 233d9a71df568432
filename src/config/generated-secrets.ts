import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config, ResolvedConfig } from './load-config.ts';

interface StoredSecrets {
  jwtSecretKey: string;
  credentialsEncryptionKey: string;
}

/**
 * Lets the service start with nothing configured: keys the operator did not set are generated once and kept
 * in DATA_DIR/secrets.json (mode 0600), so tokens and stored SIP secrets survive restarts. Losing that file
 * loses every stored SIP secret, hence the warning.
 */
export function resolveGeneratedSecrets({ config, logger }: { config: Config; logger: Logger }): ResolvedConfig {
  if (isResolved(config)) return config;
  const file = path.join(config.dataDir, 'secrets.json');
  const stored = readOrCreate(file);
  const missing = [
    !config.jwtSecretKey && 'JWT_SECRET_KEY',
    !config.credentialsEncryptionKey && 'CREDENTIALS_ENCRYPTION_KEY',
  ].filter(Boolean);
  logger.warn(
    { file, variables: missing },
    `${missing.join(' and ')} not set: using generated keys kept in ${file}. Back this file up, or set the variables (required when several instances share a database).`,
  );
  return Object.freeze({
    ...config,
    jwtSecretKey: config.jwtSecretKey ?? stored.jwtSecretKey,
    credentialsEncryptionKey: config.credentialsEncryptionKey ?? Buffer.from(stored.credentialsEncryptionKey, 'hex'),
  });
}

const isResolved = (config: Config): config is ResolvedConfig => Boolean(config.jwtSecretKey && config.credentialsEncryptionKey);

function readOrCreate(file: string): StoredSecrets {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredSecrets;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secrets: StoredSecrets = {
    jwtSecretKey: randomBytes(32).toString('hex'),
    credentialsEncryptionKey: randomBytes(32).toString('hex'),
  };
  // 'wx' fails if another process created it meanwhile; then read theirs.
  try {
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredSecrets;
  }
}
