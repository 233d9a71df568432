import { beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, SMTP_PASSWORD, type ReceivedMail, type TestSmtpServer } from '../support/smtp-server.ts';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/test-service.ts';
import { startLinphonecSession } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { expectCutOffAtKamailio } from './support/cut-off.ts';
import { serviceOnKamailioForThisFile } from './support/service-on-kamailio.ts';

const PUBLIC_BASE_URL = 'https://voip.example.test';
const SERVICE_NAME = 'Lifecycle Voice';

/**
 * An account's whole life, with nothing faked: the service requires email verification and mails through a
 * real SMTP server (smtp-server over TCP, AUTH required), and writes accounts into a real Kamailio's database.
 * Sign-up holds the number but writes nothing to the PBX; the mailed link's token verifies the address; the
 * extension goes live and a real linphonec registers with the credentials the API hands out; then the person
 * deletes the account, the subscriber is gone and the very same linphonec is refused. No mail holds the
 * password or the SIP secret.
 */
describe('sign-up with EMAIL_VERIFICATION=required → verification mail over SMTP → Kamailio → linphonec → DELETE /auth/me', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const k = serviceOnKamailioForThisFile(
    () => ({
      EMAIL_VERIFICATION: 'required',
      SMTP_URL: smtp.url,
      MAIL_FROM: `${SERVICE_NAME} <noreply@voip.example.test>`,
      SERVICE_NAME,
      PUBLIC_BASE_URL,
      LOG_LEVEL: 'trace',
    }),
    { stopAlso: async () => smtp?.close() },
  );

  const mailsTo = (email: string) => smtp.received.filter((mail) => mail.to.includes(email));
  const waitForMail = async (email: string, subject: string): Promise<ReceivedMail> => {
    await expect.poll(() => mailsTo(email).some((mail) => mail.parsed.subject?.includes(subject)), { timeout: 20_000, interval: 50 }).toBe(true);
    return mailsTo(email).find((mail) => mail.parsed.subject?.includes(subject))!;
  };

  it('verifies by the mailed link, goes live on Kamailio for linphonec, and is cut off by the deletion; no mail holds a secret', async () => {
    const user = await signUpOverHttp(k.api.baseUrl, { displayName: 'Whole Life' });
    const extension = user.registration.body.sip_extension;
    expect(user.registration.body.provisioning_status).toBe('awaiting_verification');

    // Not verified yet: the credentials are withheld and nothing reached the PBX.
    const withheld = await fetchSipCredentials(k.api.baseUrl, user.token);
    expect([withheld.status, withheld.body.code]).toEqual([409, 'email_not_verified']);
    expect(await k.countRows('subscriber', extension)).toBe(0);

    // The verification mail arrives at the SMTP server, carrying exactly one link with one token.
    const verification = await waitForMail(user.email, 'Confirm your email address');
    const links = new Set([...(verification.parsed.text ?? '').matchAll(/https?:\/\/\S+token=\S+/g)].map((match) => match[0]));
    expect(links.size).toBe(1);
    const link = new URL([...links][0]!);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_BASE_URL}/auth/verify-email`);
    const token = link.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url

    // Opening the link (as a mail scanner does) verifies nothing; posting its token does.
    const page = await fetch(`${k.api.baseUrl}/auth/verify-email?token=${token}`);
    expect(page.status).toBe(200);
    expect((await fetchSipCredentials(k.api.baseUrl, user.token)).body.code).toBe('email_not_verified');
    const verified = await fetch(`${k.api.baseUrl}/auth/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect([verified.status, await verified.json()]).toEqual([200, { email_verified: true }]);

    // The extension goes live on Kamailio, and the API hands out its credentials.
    await expect.poll(() => k.countRows('subscriber', extension), { timeout: 20_000, interval: 100 }).toBe(1);
    await expect.poll(async () => (await fetchSipCredentials(k.api.baseUrl, user.token)).status, { timeout: 20_000, interval: 100 }).toBe(200);
    const credentials = (await fetchSipCredentials(k.api.baseUrl, user.token)).body;
    expect(credentials.username).toBe(extension);
    const phone = { credentials, proxyHost: credentials.domain, proxyPort: credentials.port };

    const session = await startLinphonecSession(phone); // resolves once linphonec's REGISTER got its 200 OK
    try {
      expect(await k.countRows('location', extension)).toBeGreaterThan(0);
      await waitForMail(user.email, 'is ready'); // the welcome mail, sent when the extension went live

      const deletion = await fetch(`${k.api.baseUrl}/auth/me`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: user.password }),
      });
      expect([deletion.status, await deletion.json()]).toEqual([202, { status: 'deleting' }]);

      // The durable delete job removes the subscriber and the phone's registration: the phone is cut off.
      await expectCutOffAtKamailio(k, session, phone);
      expect((await fetchSipCredentials(k.api.baseUrl, user.token)).status).toBe(401);
    } finally {
      await session.stop();
    }

    // Three mails went to the person: verification, welcome, and the deletion's confirmation.
    await waitForMail(user.email, 'is being deleted');
    const received = mailsTo(user.email);
    expect(received.map((mail) => mail.parsed.subject)).toEqual([
      `Confirm your email address for ${SERVICE_NAME}`,
      `Your ${SERVICE_NAME} phone line ${extension} is ready`,
      `Your ${SERVICE_NAME} account is being deleted`,
    ]);
    // None holds the password, the SIP secret or a bearer token; the raw message (every part, every encoding
    // the parser undid) and the decoded parts are both checked.
    const secrets = [user.password, credentials.password, user.token, TEST_JWT_SECRET, TEST_ENCRYPTION_KEY, SMTP_PASSWORD];
    const contentOf = (mail: ReceivedMail) =>
      [mail.raw.toString('utf8'), mail.parsed.text ?? '', typeof mail.parsed.html === 'string' ? mail.parsed.html : ''].join('\n');
    for (const mail of received) for (const secret of secrets) expect(contentOf(mail), mail.parsed.subject).not.toContain(secret);
    // Only the verification mail carries the verification token; and no log line holds any of them.
    expect(received.filter((mail) => contentOf(mail).includes(token))).toEqual([verification]);
    for (const secret of [...secrets, token]) expect(k.api.service.logs.text).not.toContain(secret);
  });
});
