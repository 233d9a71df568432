import { defineTemplate, displayNameParam, footer, greeting, strict } from './template.ts';

/** The confirmation of DELETE /auth/me, with no link: the account is already refused everywhere. */
export const accountDeleted = defineTemplate({
  params: strict({ ...displayNameParam }),
  render: (params, context) => {
    const { t, serviceName } = context;
    return {
      subject: t('account-deleted.subject', { serviceName }),
      greeting: greeting(context, params.displayName),
      paragraphs: [t('account-deleted.intro', { serviceName }), t('account-deleted.erasure'), t('account-deleted.notYou')],
      footer: footer(context),
    };
  },
});
