import { describe, expect, it } from 'vitest';
import { configProblems, loadConfig } from './load-config.ts';


describe('SIP_PROXY', () => {
  it('is none by default: softphones go to SIP_DOMAIN:SIP_PORT', () => {
    expect(loadConfig({}).sip.proxy).toBeNull();
  });

  it('is kept as host:port, its port defaulting to SIP_PORT', () => {
    expect(loadConfig({ SIP_PROXY: 'sip-edge.example.net:5070' }).sip.proxy).toBe('sip-edge.example.net:5070');
    expect(loadConfig({ SIP_PROXY: 'sip-edge.example.net' }).sip.proxy).toBe('sip-edge.example.net:5060');
    expect(loadConfig({ SIP_PROXY: 'sip-edge.example.net', SIP_PORT: '5080' }).sip.proxy).toBe('sip-edge.example.net:5080');
    expect(loadConfig({ SIP_PROXY: '192.0.2.10' }).sip.proxy).toBe('192.0.2.10:5060');
    expect(loadConfig({ SIP_PROXY: '[2001:db8::1]:5070' }).sip.proxy).toBe('[2001:db8::1]:5070');
    expect(loadConfig({ SIP_PROXY: '[2001:db8::1]' }).sip.proxy).toBe('[2001:db8::1]:5060');
  });

  it('refuses anything but host or host:port, naming the variable and the value', () => {
    for (const value of ['sip:edge.example.net', 'edge.example.net:0', 'edge.example.net:65536', '2001:db8::1', '[not-v6]:5060', 'edge example', 'edge.example.net:5060;transport=tls', 'http://edge']) {
      expect(configProblems({ SIP_PROXY: value }), value).toEqual([
        `SIP_PROXY must be host or host:port (an IPv6 address in brackets, e.g. [2001:db8::1]:5060) (got "${value}")`,
      ]);
    }
  });
});

describe('SIP_TRANSPORT and SIP_PORT', () => {
  it('default to UDP on 5060, and to 5061 for TLS when SIP_PORT is unset', () => {
    expect(loadConfig({}).sip).toMatchObject({ transport: 'udp', port: 5060 });
    expect(loadConfig({ SIP_TRANSPORT: 'tcp' }).sip).toMatchObject({ transport: 'tcp', port: 5060 });
    expect(loadConfig({ SIP_TRANSPORT: 'tls' }).sip).toMatchObject({ transport: 'tls', port: 5061 });
    expect(loadConfig({ SIP_TRANSPORT: 'tls', SIP_PORT: '5062' }).sip).toMatchObject({ transport: 'tls', port: 5062 });
    expect(loadConfig({ SIP_TRANSPORT: 'tls', SIP_PROXY: 'edge.example.net' }).sip.proxy).toBe('edge.example.net:5061');
  });

  it('refuses a port outside 1-65535, naming the variable', () => {
    expect(configProblems({ SIP_PORT: '0' })).toEqual(['SIP_PORT must be a whole number from 1 to 65535 (got "0")']);
    expect(configProblems({ SIP_PORT: 'five' })).toEqual(['SIP_PORT must be a whole number from 1 to 65535 (got "five")']);
  });
});

describe('MEDIA_ENCRYPTION', () => {
  it('is none by default and takes srtp, zrtp or dtls-srtp', () => {
    expect(loadConfig({}).sip.mediaEncryption).toBe('none');
    for (const value of ['srtp', 'zrtp', 'dtls-srtp'] as const) expect(loadConfig({ MEDIA_ENCRYPTION: value }).sip.mediaEncryption).toBe(value);
  });

  it('refuses anything else, listing what it takes', () => {
    expect(configProblems({ MEDIA_ENCRYPTION: 'sdes' })).toEqual(['MEDIA_ENCRYPTION must be one of none, srtp, zrtp, dtls-srtp (got "sdes")']);
  });
});
