import { dictionary } from '@zxcvbn-ts/language-common';
import { defineError } from '../../shared/errors.ts';

/** OWASP ASVS 2.1: at least 8 characters, long passphrases allowed, no composition rules, common ones refused. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

// ~49,000 most common passwords, kept up to date by the zxcvbn-ts project.
const commonPasswords = new Set<string>(dictionary['passwords-common'] as string[]);

export const commonPasswordError = defineError({ status: 422, code: 'password_too_common', title: 'Password is too common' });

/** Length is checked by the request schema; this adds the check that needs the list. `field` names it in the 422. */
export function assertPasswordAcceptable(password: string, field = 'password'): void {
  if (commonPasswords.has(password.toLowerCase())) {
    throw commonPasswordError({
      detail: 'This password appears in lists of commonly used passwords. Choose a longer or less predictable one.',
      extra: { errors: [{ field, message: 'is a commonly used password' }] },
    });
  }
}
