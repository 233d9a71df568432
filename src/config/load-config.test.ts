import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { configSchema } from './config.schema.ts';
import { configProblems, loadConfig, type PbxSettings } from './load-config.ts';
import { resolveGeneratedSecrets } from './generated-secrets.ts';


describe('loadConfig', () => {
  it('starts on the embedded defaults with nothing configured', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      pbx: { driver: 'none' },
      extensionRange: { first: 1000, last: 1999 },
      sip: { port: 5060, transport: 'udp' },
      accessTokenExpireMinutes: 30,
    });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('chooses the FreePBX driver when FREEPBX_HOST is set', () => {
    expect(loadConfig({ FREEPBX_HOST: 'https://pbx.example.com', FREEPBX_API_TOKEN: 'tok' }).pbx).toMatchObject({ driver: 'freepbx', host: 'https://pbx.example.com', auth: { apiToken: 'tok' } });
  });

  it('holds only what the chosen PBX driver needs', () => {
    const kamailio = { PBX_DRIVER: 'kamailio', KAMAILIO_DATABASE_URL: 'postgres://k@db/kamailio', SIP_DOMAIN: 'sip.example.com' };
    expect(loadConfig(kamailio).pbx).toEqual({ driver: 'kamailio', databaseUrl: 'postgres://k@db/kamailio', domain: 'sip.example.com', passwordStorage: 'both' });
    const freepbx = { FREEPBX_HOST: 'https://pbx.example.com', FREEPBX_CLIENT_ID: 'id', FREEPBX_CLIENT_SECRET: 'secret', FREEPBX_API_TOKEN: 'tok' };
    expect(loadConfig(freepbx).pbx).toMatchObject({ driver: 'freepbx', auth: { clientId: 'id', clientSecret: 'secret' }, requestTimeoutMs: 10000 });
    // @ts-expect-error a FreePBX configuration without a host cannot be typed
    const noHost: PbxSettings = { driver: 'freepbx', auth: { apiToken: 'tok' }, requestTimeoutMs: 1, applyTimeoutMs: 1, applyPollIntervalMs: 1 };
    expect(noHost.driver).toBe('freepbx');
  });

  it('has defaults that pass its own schema (an invalid value is replaced by its default)', () => {
    expect(Value.Check(configSchema, Value.Default(configSchema, {}))).toBe(true);
  });

  it('refuses a JWT_SECRET_KEY under 32 bytes, naming the variable', () => {
    expect(configProblems({ JWT_SECRET_KEY: 'short' })).toEqual([expect.stringContaining('JWT_SECRET_KEY is too weak')]);
  });

  it('lists every invalid variable at once, without echoing secret values', () => {
    const problems = configProblems({
      PORT: 'eighty',
      EXTENSION_RANGE: '1999-1000',
      SIP_TRANSPORT: 'sctp',
      DATABASE_URL: 'mysql://user:hunter2@db/x',
      CREDENTIALS_ENCRYPTION_KEY: 'tooshort-hunter2',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['CREDENTIALS_ENCRYPTION_KEY', 'DATABASE_URL', 'EXTENSION_RANGE', 'PORT', 'SIP_TRANSPORT']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('requires FreePBX credentials and a Kamailio database for those drivers', () => {
    expect(configProblems({ PBX_DRIVER: 'freepbx', FREEPBX_HOST: 'https://pbx.example.com' })).toEqual([expect.stringContaining('FREEPBX_CLIENT_ID')]);
    expect(configProblems({ PBX_DRIVER: 'kamailio' })).toEqual([expect.stringContaining('KAMAILIO_DATABASE_URL')]);
  });

  it('reads EXTENSION_REUSE_AFTER in seconds, minutes, hours or days, 30 days by default, 0 for at once', () => {
    expect(loadConfig({}).extensionReuseAfterSeconds).toBe(30 * 86_400);
    expect(loadConfig({ EXTENSION_REUSE_AFTER: '12h' }).extensionReuseAfterSeconds).toBe(12 * 3600);
    expect(loadConfig({ EXTENSION_REUSE_AFTER: '90d' }).extensionReuseAfterSeconds).toBe(90 * 86_400);
    expect(loadConfig({ EXTENSION_REUSE_AFTER: '0' }).extensionReuseAfterSeconds).toBe(0);
    expect(configProblems({ EXTENSION_REUSE_AFTER: '30 days' })).toEqual([expect.stringContaining('EXTENSION_REUSE_AFTER must be seconds or a number with s, m, h or d')]);
    expect(configProblems({ EXTENSION_REUSE_AFTER: '3651d' })).toHaveLength(1);
  });

  it('accepts a 32-byte encryption key as hex or base64', () => {
    expect(loadConfig({ CREDENTIALS_ENCRYPTION_KEY: 'ab'.repeat(32) }).credentialsEncryptionKey).toHaveLength(32);
    expect(loadConfig({ CREDENTIALS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).credentialsEncryptionKey).toEqual(Buffer.alloc(32, 7));
  });
});

describe('generated secrets', () => {
  it('are created once in DATA_DIR with mode 0600, reused at the next start, and announced with a warning', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-config-'));
    try {
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
      const first = resolveGeneratedSecrets({ config: loadConfig({ DATA_DIR: dataDir }), logger });
      const second = resolveGeneratedSecrets({ config: loadConfig({ DATA_DIR: dataDir }), logger });
      expect(first.jwtSecretKey).toHaveLength(64);
      expect(second.jwtSecretKey).toBe(first.jwtSecretKey);
      expect(second.credentialsEncryptionKey).toEqual(first.credentialsEncryptionKey);
      expect(fs.statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
      expect(lines.join('')).toContain('JWT_SECRET_KEY and CREDENTIALS_ENCRYPTION_KEY not set');
      expect(lines.join('')).not.toContain(first.jwtSecretKey!);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
