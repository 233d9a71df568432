import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireProgram } from './processes.ts';

const run = promisify(execFile);

export interface TestCertificates {
  /** The CA's certificate (PEM): what a phone is told to trust (linphonec `[sip] root_ca`). */
  caFile: string;
  /** The server's certificate (PEM), issued by that CA for `host`, and its unencrypted key. */
  certificateFile: string;
  privateKeyFile: string;
  remove(): Promise<void>;
}

/**
 * A throw-away CA and a server certificate it issued for `host` (an IP address: in the subject CN and as an
 * IP and a DNS subjectAltName, since TLS stacks differ in which they compare), made with the openssl CLI.
 * Valid for two days, RSA 2048: nothing here is kept.
 */
export async function makeTestCertificates(host: string): Promise<TestCertificates> {
  const openssl = requireProgram('openssl', 'openssl');
  const dir = await mkdtemp(join(tmpdir(), 'tls-e2e-'));
  const file = (name: string) => join(dir, name);
  try {
    await run(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=voip-onboarding e2e test CA', '-keyout', file('ca.key'), '-out', file('ca.pem')]);
    await run(openssl, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${host}`, '-keyout', file('server.key'), '-out', file('server.csr')]);
    await writeFile(file('server.ext'), `subjectAltName=IP:${host},DNS:${host}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
    await run(openssl, [
      'x509', '-req', '-days', '2', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-extfile', file('server.ext'), '-out', file('server.pem'),
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    caFile: file('ca.pem'),
    certificateFile: file('server.pem'),
    privateKeyFile: file('server.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
