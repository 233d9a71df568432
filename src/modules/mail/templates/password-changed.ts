import { defineTemplate, displayNameParam, footer, greeting, strict } from './template.ts';

/** A notice, with no link at all: the password was changed (reset or change), every other session ended. */
export const passwordChanged = defineTemplate({
  params: strict({ ...displayNameParam }),
  render: (params, context) => {
    const { t, serviceName, publicBaseUrl } = context;
    return {
      subject: t('password-changed.subject', { serviceName }),
      greeting: greeting(context, params.displayName),
      paragraphs: [t('password-changed.intro', { serviceName }), t('password-changed.notYou', { publicBaseUrl })],
      footer: footer(context),
    };
  },
});
