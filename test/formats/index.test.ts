import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/shared/errors.ts';
import { credentialFormatNames, credentialFormats, type CredentialFormatOptions } from '../../src/modules/provisioning/formats/index.ts';
import { alice } from '../support/sample-credentials.ts';

const operatorOptions: CredentialFormatOptions = {
  'linphone-xml': { transient: false },
  acrobits: { cloudId: 'ACME42' },
  sessiontalk: { providerId: 'AcmeInc' },
};

describe('credentialFormats', () => {
  it('offers exactly the formats GET /sip/credentials?format= can name', () => {
    expect(credentialFormatNames).toEqual(['json', 'linphone-xml', 'acrobits', 'sessiontalk', 'sip-uri']);
  });

  it('renders every format with its content type and the operator options meant for it', () => {
    const rendered = Object.fromEntries(
      credentialFormatNames.map((name) => [name, credentialFormats[name].render(alice, operatorOptions)]),
    );

    expect(credentialFormats.json.contentType).toBe('application/json; charset=utf-8');
    expect(credentialFormats['linphone-xml'].contentType).toBe('application/xml; charset=utf-8');
    expect(credentialFormats['sip-uri'].contentType).toBe('text/plain; charset=utf-8');
    expect(rendered['linphone-xml']).toContain('<entry name="transient_provisioning" overwrite="true">0</entry>');
    expect(rendered.acrobits).toBe('csc:1001:THE-SIP-SECRET@ACME42');
    expect(rendered.sessiontalk).toMatch(/^scloc:AcmeInc\|\{"sipaccounts":/);
    expect(rendered['sip-uri']).toBe('sip:1001@pbx.example.com');
  });

  it('serves the JSON contract field by field, so extra properties on the input never leak', () => {
    const row = { ...alice, password_hash: '$argon2id$…', user_id: 7 };

    expect(credentialFormats.json.render(row, {})).toBe(
      '{"username":"1001","password":"THE-SIP-SECRET","domain":"pbx.example.com","port":5060,"transport":"udp","display_name":"Alice Example","auth_username":"1001","proxy":null,"media_encryption":"none"}',
    );
  });

  it('answers a 404 app error for Acrobits when the operator has no Cloud ID configured', () => {
    let caught: unknown;
    try {
      credentialFormats.acrobits.render(alice, {});
    } catch (error) {
      caught = error;
    }

    expect(isAppError(caught) && { status: caught.status, code: caught.code }).toEqual({
      status: 404,
      code: 'credential_format_not_configured',
    });
  });
});
