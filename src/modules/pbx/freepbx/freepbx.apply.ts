import type { Logger } from 'pino';
import { PbxError, type ApplyHooks } from '../pbx-driver.ts';
import { explainMissingFrameworkField } from './freepbx.framework.ts';
import { freepbxErrors } from './freepbx.errors.ts';
import type { GqlClient } from './freepbx.gql-client.ts';
import { freepbxMessages, operations } from './freepbx.operations.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** After this many "unable to fetch the status" answers in a row, the transaction is taken as lost. */
const UNKNOWN_LIMIT = 3;

type ApplyArgs = { gql: GqlClient; logger: Logger; applyTimeoutMs: number; applyPollIntervalMs: number };

/**
 * Apply Config (§3): ONE `doreload`, then `fetchApiStatus` until Executed, Failed or the deadline. Transient
 * failures while polling are polled through (never a second reload: it would rewrite all Asterisk config
 * again); a reload stuck in Processing (FreePBX/api#15) ends at the deadline. Callers serialise and coalesce.
 * A framework older than 17 has no doreload at all: that fails at once, not retryably (freepbx.framework.ts).
 */
export function createFreepbxApply(args: ApplyArgs) {
  return {
    async applyChanges(hooks: ApplyHooks = {}): Promise<void> {
      const started = Date.now();
      const reload = await args.gql
        .request<{ transaction_id?: string | null }>({ field: 'doreload', query: operations.doreload })
        .catch(async (error: unknown) => {
          throw await explainMissingFrameworkField(args.gql, error);
        });
      if (!reload.ok) throw freepbxErrors.applyFailed(`FreePBX doreload refused: ${reload.message}`);
      const txnId = reload.data.transaction_id;
      if (!txnId) throw freepbxErrors.applyFailed('FreePBX doreload returned no transaction id');
      args.logger.info({ txnId }, 'FreePBX Apply Config started');
      await hooks.started?.(String(txnId));
      await pollUntilFinished(args, String(txnId), started);
      args.logger.info({ txnId, durationMs: Date.now() - started }, 'FreePBX Apply Config executed');
    },

    /** Waits (up to the apply deadline) for a reload someone else started to end, however it ends. */
    async waitForApply(ref: string): Promise<void> {
      await pollUntilFinished(args, ref, Date.now()).catch(() => {});
    },
  };
}

async function pollUntilFinished(args: ApplyArgs, txnId: string, started: number): Promise<void> {
  const deadline = started + args.applyTimeoutMs;
  let unknown = 0;
  for (;;) {
    await sleep(Math.max(0, Math.min(args.applyPollIntervalMs, deadline - Date.now())));
    if (Date.now() >= deadline) break;
    let state: string;
    let details = '';
    try {
      const status = await args.gql.request<{ message?: string | null; details?: string | null }>({
        field: 'fetchApiStatus',
        query: operations.fetchApiStatus,
        variables: { txnId },
      });
      state = status.ok ? String(status.data.message ?? '') : status.message;
      details = status.ok ? String(status.data.details ?? '') : '';
    } catch (error) {
      if (error instanceof PbxError && error.kind === 'unavailable') {
        args.logger.warn({ txnId, err: error.message }, 'FreePBX status poll failed; polling on');
        continue;
      }
      throw error;
    }
    if (state === 'Executed') return;
    if (state === 'Failed') throw freepbxErrors.applyFailed(`FreePBX Apply Config ${txnId} failed${details ? `: ${details.slice(0, 300)}` : ''}`);
    unknown = state === freepbxMessages.unknownTransaction ? unknown + 1 : 0;
    if (unknown >= UNKNOWN_LIMIT) throw freepbxErrors.applyFailed(`FreePBX lost track of Apply Config ${txnId}`);
  }
  throw freepbxErrors.applyTimeout(`FreePBX Apply Config ${txnId} did not finish within ${args.applyTimeoutMs} ms`);
}
