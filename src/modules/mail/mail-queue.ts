import { Value } from '@sinclair/typebox/value';
import type { Queryable } from '../../db/database.ts';
import { encryptSecret } from '../../shared/crypto.ts';
import { toSupportedLocale, type Locale } from '../../shared/locale.ts';
import { createMailRepository } from './mail.repository.ts';
import { isMailTemplateName, mailTemplates, type MailParams, type MailTemplateName } from './templates/index.ts';

export interface MailRequest<N extends MailTemplateName = MailTemplateName> {
  to: string;
  template: N;
  /** The recipient's locale or any language tag; unsupported or missing: DEFAULT_LOCALE. */
  locale?: string | null;
  params: MailParams<N>;
}

/** What the sealed payload holds: the recipient and the template's parameters (its one single-use link). */
export interface MailPayload {
  to: string;
  params: Record<string, unknown>;
}

// Deliberately loose: the SMTP server is the judge of an address; this only refuses what cannot be one.
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/**
 * Queues a mail inside the caller's transaction (`tx`): it is sent if and only if the caller's change commits.
 * Call `kick()` after the commit to send it now rather than at the next poll. Parameters are checked against
 * the template's schema (extra fields refused) and a link must point at PUBLIC_BASE_URL, so a mail can carry
 * nothing but what its template asks for. Error messages name the problem, never a value.
 */
export function createMailQueue({ encryptionKey, defaultLocale, publicBaseUrl, kick }: {
  encryptionKey: Buffer;
  defaultLocale: Locale;
  publicBaseUrl: string;
  kick: () => void;
}) {
  return {
    async enqueue<N extends MailTemplateName>(tx: Queryable, request: MailRequest<N>): Promise<string> {
      if (!isMailTemplateName(request.template)) throw new Error(`Unknown mail template "${String(request.template)}"`);
      const schema = mailTemplates[request.template].params;
      if (!Value.Check(schema, request.params)) {
        const first = Value.Errors(schema, request.params).First();
        throw new Error(`Invalid parameters for mail template "${request.template}" at "${first?.path ?? ''}": ${first?.message ?? 'invalid'}`);
      }
      const url = (request.params as { url?: string }).url;
      if (url !== undefined && !url.startsWith(`${publicBaseUrl}/`)) throw new Error(`The link of a "${request.template}" mail must point at PUBLIC_BASE_URL`);
      if (!ADDRESS.test(request.to)) throw new Error(`Invalid recipient address for a "${request.template}" mail`);
      const payload: MailPayload = { to: request.to, params: request.params };
      return createMailRepository({ db: tx }).insert({
        template: request.template,
        locale: toSupportedLocale(request.locale) ?? defaultLocale,
        payloadCiphertext: encryptSecret(encryptionKey, JSON.stringify(payload)),
      });
    },
    kick,
  };
}

export type MailQueue = ReturnType<typeof createMailQueue>;
