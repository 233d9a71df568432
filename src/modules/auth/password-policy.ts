import { lazyRequire } from '../../shared/lazy-require.ts';
import { defineError } from '../../shared/errors.ts';

/** OWASP ASVS 2.1: at least 8 characters, long passphrases allowed, no composition rules, common ones refused. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

// ~49,000 most common passwords, kept up to date by the zxcvbn-ts project.
const languageCommon = lazyRequire<typeof import('@zxcvbn-ts/language-common')>('@zxcvbn-ts/language-common');
let commonPasswords: Set<string> | undefined;
const isCommon = (password: string) =>
  (commonPasswords ??= new Set<string>(languageCommon().dictionary['passwords-common'] as string[])).has(password.toLowerCase());

export const commonPasswordError = defineError({ status: 422, code: 'password_too_common', title: 'Password is too common' });

/** Length is checked by the request schema; this adds the check that needs the list. `field` names it in the 422. */
export function assertPasswordAcceptable(password: string, field = 'password'): void {
  if (isCommon(password)) {
    throw commonPasswordError({
      detail: 'This password appears in lists of commonly used passwords. Choose a longer or less predictable one.',
      extra: { errors: [{ field, message: 'is a commonly used password' }] },
    });
  }
}
