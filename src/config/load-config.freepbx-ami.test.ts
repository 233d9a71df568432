import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from './load-config.ts';


const freepbx = { FREEPBX_HOST: 'https://pbx.example.com', FREEPBX_CLIENT_ID: 'id', FREEPBX_CLIENT_SECRET: 'client-secret' };
const ami = { FREEPBX_AMI_HOST: 'pbx.example.com', FREEPBX_AMI_USERNAME: 'onboarding', FREEPBX_AMI_SECRET: 'ami-secret-hunter2' };
const amiOf = (env: Record<string, string>) => {
  const { pbx } = loadConfig({ ...freepbx, ...env });
  if (pbx.driver !== 'freepbx') throw new Error('expected the FreePBX driver');
  return pbx.ami;
};

describe('FREEPBX_AMI_* (registrations read through Asterisk\'s AMI)', () => {
  it('is off unless set: the FreePBX settings then hold no AMI', () => {
    expect(amiOf({})).toBeUndefined();
  });

  it('holds host, port (5038 by default, 5039 with TLS), user and secret when all three are set', () => {
    expect(amiOf(ami)).toEqual({ host: 'pbx.example.com', port: 5038, tls: false, username: 'onboarding', secret: 'ami-secret-hunter2' });
    expect(amiOf({ ...ami, FREEPBX_AMI_TLS: 'true' })).toMatchObject({ port: 5039, tls: true });
    expect(amiOf({ ...ami, FREEPBX_AMI_HOST: '10.0.0.5:15038' })).toMatchObject({ host: '10.0.0.5', port: 15038 });
    // An IPv6 address is written in brackets, as in a URL, and handed to the socket without them.
    expect(amiOf({ ...ami, FREEPBX_AMI_HOST: '[2001:db8::5]:5038' })).toMatchObject({ host: '2001:db8::5', port: 5038 });
  });

  it('refuses some of the three without the others, naming them, never echoing the secret', () => {
    for (const missing of ['FREEPBX_AMI_HOST', 'FREEPBX_AMI_USERNAME', 'FREEPBX_AMI_SECRET'] as const) {
      const { [missing]: _dropped, ...rest } = ami;
      const problems = configProblems({ ...freepbx, ...rest });
      expect(problems, missing).toEqual([expect.stringContaining('FREEPBX_AMI_HOST, FREEPBX_AMI_USERNAME and FREEPBX_AMI_SECRET go together')]);
      expect(problems.join('\n')).not.toContain('hunter2');
    }
  });

  it('refuses a host that is not host or host:port with one problem naming the variable', () => {
    for (const value of ['tcp://pbx.example.com:5038', 'pbx.example.com:0', 'pbx.example.com:99999', '2001:db8::5']) {
      expect(configProblems({ ...freepbx, ...ami, FREEPBX_AMI_HOST: value }), value).toEqual([
        `FREEPBX_AMI_HOST must be host or host:port (an IPv6 address in brackets, e.g. [2001:db8::1]:5038) (got "${value}")`,
      ]);
    }
  });
});
