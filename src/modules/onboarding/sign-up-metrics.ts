import { isAppError } from '../../shared/errors.ts';

/**
 * How a sign-up ended: the account's provisioning status at the answer (`active`, `pending`, `failed`), the
 * code of a refusal (`email_already_registered`, `password_too_common`, `extension_range_exhausted`, …), or
 * `error` for anything unexpected. Requests refused by schema validation never reach the use case.
 */
export interface SignUpMetrics {
  signUp(outcome: string): void;
}

/** `registerUser` with every call counted by outcome. */
export function countSignUps<Input, Result extends { provisioningStatus: string }>(
  registerUser: (input: Input) => Promise<Result>,
  metrics: SignUpMetrics | undefined,
): (input: Input) => Promise<Result> {
  if (!metrics) return registerUser;
  return async (input) => {
    try {
      const result = await registerUser(input);
      metrics.signUp(result.provisioningStatus);
      return result;
    } catch (error) {
      metrics.signUp(isAppError(error) ? error.code : 'error');
      throw error;
    }
  };
}
