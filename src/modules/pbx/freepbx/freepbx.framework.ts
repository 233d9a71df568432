import { freepbxErrors, MissingFieldError } from './freepbx.errors.ts';
import type { GqlClient } from './freepbx.gql-client.ts';
import { operations } from './freepbx.operations.ts';

export const frameworkTooOldMessage =
  "this FreePBX's framework is too old for Apply Config over the API (it has no doreload or fetchNeedReload); " +
  'upgrade to FreePBX 17 (framework 17), or new extensions will never go live';

/**
 * `doreload` and `fetchNeedReload` came with the 17-era framework (freepbx-api.md §8). Without them FreePBX
 * answers "Cannot query field …", word for word what it answers when the token lacks gql:framework.
 * `fetchApiStatus` sits behind the same scope in both frameworks: if it validates, the scope is there and the
 * framework is what is missing. Returns the error to report for `error`.
 */
export async function explainMissingFrameworkField(gql: GqlClient, error: unknown): Promise<unknown> {
  if (!(error instanceof MissingFieldError)) return error;
  try {
    await gql.request({ field: 'fetchApiStatus', query: operations.probeApiStatus });
  } catch {
    return error; // the scope is missing too (or the probe failed): the scope explanation stands
  }
  // Not retryable: no number of attempts makes the field appear; the account shows this as its last error.
  return freepbxErrors.applyFailed(`FreePBX: ${frameworkTooOldMessage}`, false);
}
