import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { TFunction } from 'i18next';

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Set for an inline image the HTML part shows as `cid:<cid>`. */
  cid?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
}

/** What a template says, before the layout turns it into a text and an HTML part. */
export interface MailBody {
  subject: string;
  greeting?: string;
  paragraphs: string[];
  steps?: string[];
  image?: { cid: string; alt: string };
  action?: { label: string; url: string; fallback?: string };
  after?: string[];
  footer: string;
  attachments?: MailAttachment[];
}

/** Everything a template may use besides its own parameters. */
export interface MailContext {
  t: TFunction;
  serviceName: string;
  publicBaseUrl: string;
}

/**
 * A mail template: the exact parameters it accepts (checked when the mail is queued, extra fields refused,
 * so nothing but what the template needs, such as its one single-use link, can ride along) and its rendering.
 */
export interface MailTemplate<S extends TObject = TObject> {
  params: S;
  render(params: Static<S>, context: MailContext): MailBody | Promise<MailBody>;
}

export const defineTemplate = <S extends TObject>(template: MailTemplate<S>): MailTemplate<S> => template;

/** Parameter schemas the templates share. `url` is checked to point at PUBLIC_BASE_URL when queued. */
export const linkParams = {
  url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
  validForMinutes: Type.Integer({ minimum: 1, maximum: 30 * 24 * 60 }),
};
export const displayNameParam = { displayName: Type.Optional(Type.String({ maxLength: 200 })) };
export const strict = <P extends Parameters<typeof Type.Object>[0]>(properties: P) => Type.Object(properties, { additionalProperties: false });

export function greeting({ t }: MailContext, displayName: string | undefined): string {
  return displayName ? t('common.greeting', { name: displayName }) : t('common.greetingNoName');
}

/** "valid for 24 hours" rather than "1440 minutes" when it is a whole number of hours. */
export function validity({ t }: MailContext, minutes: number): string {
  return minutes % 60 === 0 ? t('common.validHours', { count: minutes / 60 }) : t('common.validMinutes', { count: minutes });
}

export function footer({ t, serviceName, publicBaseUrl }: MailContext): string {
  return t('common.automatic', { serviceName, publicBaseUrl });
}

/** The body of a mail that carries one single-use link behind a button. */
export function linkMail(context: MailContext, key: string, params: Static<TObject<typeof linkParams>> & { displayName?: string }, extra: string[] = []): MailBody {
  const { t, serviceName } = context;
  return {
    subject: t(`${key}.subject`, { serviceName }),
    greeting: greeting(context, params.displayName),
    paragraphs: [t(`${key}.intro`, { serviceName }), ...extra],
    action: { label: t(`${key}.action`), url: params.url, fallback: t('common.linkFallback') },
    after: [validity(context, params.validForMinutes), t('common.notYou')],
    footer: footer(context),
  };
}
