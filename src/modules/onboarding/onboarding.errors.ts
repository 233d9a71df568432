import { defineError } from '../../shared/errors.ts';

export const emailTakenError = defineError({ status: 409, code: 'email_already_registered', title: 'Email already registered' });
