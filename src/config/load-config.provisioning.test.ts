import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

describe('provisioning link settings', () => {
  it('default to 10-minute single-use links under http://localhost:PORT', () => {
    const { provisioning } = loadConfig({ PORT: '8123' });
    expect(provisioning).toMatchObject({ publicBaseUrl: 'http://localhost:8123', linkTtlSeconds: 600, linkMode: 'once', rateLimitPerMinute: 10 });
  });

  it('take the TTL as seconds or with a unit, and the base URL without its trailing slash', () => {
    expect(loadConfig({ PROVISIONING_LINK_TTL: '90' }).provisioning.linkTtlSeconds).toBe(90);
    expect(loadConfig({ PROVISIONING_LINK_TTL: '45s' }).provisioning.linkTtlSeconds).toBe(45);
    expect(loadConfig({ PROVISIONING_LINK_TTL: '2h' }).provisioning.linkTtlSeconds).toBe(7200);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://voip.example.com/api/' }).provisioning.publicBaseUrl).toBe('https://voip.example.com/api');
  });

  it('reports every bad value at once', () => {
    const attempt = () =>
      loadConfig({ PROVISIONING_LINK_TTL: 'soon', PROVISIONING_LINK_MODE: 'twice', PUBLIC_BASE_URL: 'ftp://x', ACROBITS_CLOUD_ID: 'no way' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.split(' ')[0])).toEqual(
        expect.arrayContaining(['PROVISIONING_LINK_TTL', 'PROVISIONING_LINK_MODE', 'PUBLIC_BASE_URL', 'ACROBITS_CLOUD_ID']),
      );
    }
  });
});
