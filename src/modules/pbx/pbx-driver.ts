/**
 * The one small interface between the service and a PBX. Everything outside `modules/pbx` talks to a PBX
 * only through it, so a new SIP server is a new folder here and nothing else changes.
 *
 * Drivers are called from durable provisioning jobs (see `modules/provisioning-jobs`): every method may be
 * retried after a crash or a timeout, so each must be idempotent (creating an account that already exists
 * with our data is a success, deleting one that is gone is a success).
 */
export interface PbxAccount {
  /** The extension number, also the SIP username and auth username. */
  extension: string;
  /** The SIP secret in clear text; only ever held in memory while a job runs. */
  secret: string;
  displayName: string;
  email: string;
}

/**
 * One account as a PBX lists it (`listAccounts`). The secret never leaves the driver: `hasSecret` compares
 * (FreePBX's `extPassword`, Kamailio's password or ha1). `marked`: it carries this service's own marker
 * (FreePBX: the provisioning name an extension has between add and update); a PBX without one says false.
 */
export interface PbxListedAccount {
  extension: string;
  marked: boolean;
  hasSecret(secret: string): boolean;
}

/** A phone registered with an account's credentials, as the registrar holds it. */
export interface PbxRegistration {
  extension: string;
  /** The User-Agent of its REGISTER, as the registrar stored it; null when it stored none. */
  userAgent: string | null;
}

/** Called by `applyChanges` once the PBX took the reload, with the reference to follow it by. */
export interface ApplyHooks {
  started?(ref: string): Promise<void>;
}

export interface PbxDriver {
  readonly name: 'none' | 'freepbx' | 'kamailio';
  /**
   * True when a change is not live until `applyChanges()` has finished after it (FreePBX's Apply Config).
   * When false, an account is live as soon as `createAccount`/`updateAccount` resolve.
   */
  readonly needsApply: boolean;
  /** Creates the account, or brings an account we created earlier up to date. */
  createAccount(account: PbxAccount): Promise<void>;
  /** Sets a new secret (and the other fields we own) on an existing account. */
  updateAccount(account: PbxAccount): Promise<void>;
  /** Removes the account; succeeds when it does not exist. */
  deleteAccount(extension: string): Promise<void>;
  /**
   * Makes every change made before this call live (one global reload on FreePBX). Resolves when done;
   * rejects with a PbxError when the reload failed or did not finish in time. Only called when `needsApply`.
   */
  applyChanges(hooks?: ApplyHooks): Promise<void>;
  /**
   * Waits until the reload `ref` (from `ApplyHooks.started`, maybe of another process that died) is no longer
   * running, however it ended, so two reloads never run at once. Absent when a driver cannot tell.
   */
  waitForApply?(ref: string): Promise<void>;
  /**
   * Every account the PBX holds whose number is in `range` (numbers only), for reconciliation. A read: it
   * changes nothing. Absent when a driver cannot list.
   */
  listAccounts?(range: { first: number; last: number }): Promise<PbxListedAccount[]>;
  /**
   * Which of `extensions` a phone has registered with (one entry per extension at most). Absent when the PBX
   * cannot tell: accounts then stay `active` and never turn `registered`. Read-only, so it may fail freely
   * (a PbxError) and is simply asked again later.
   */
  registrations?(extensions: readonly string[]): Promise<PbxRegistration[]>;
  /** Cheap reachability check for /readyz and start-up logs. */
  /** `warning`: reachable, but an optional part is not working (shown by `doctor`, never making the PBX unready). */
  checkHealth(): Promise<{ ok: boolean; detail: string; warning?: boolean }>;
  close(): Promise<void>;
}

/**
 * Why a PBX call failed. `retryable` failures (timeouts, 5xx, connection resets, auth hiccups) are retried
 * with backoff; the others end the job. `extension_taken` means the number belongs to someone else on the
 * PBX: it is reserved and the account moves to the next free number. Messages must never hold a secret.
 */
export type PbxErrorKind = 'unavailable' | 'auth' | 'rejected' | 'extension_taken' | 'apply_failed' | 'apply_timeout';

export class PbxError extends Error {
  readonly kind: PbxErrorKind;
  readonly retryable: boolean;

  constructor(args: { kind: PbxErrorKind; message: string; retryable: boolean; cause?: unknown }) {
    super(args.message, { cause: args.cause });
    this.name = 'PbxError';
    this.kind = args.kind;
    this.retryable = args.retryable;
  }
}
