/**
 * Where a delivery of the SIP secret is recorded ("who saw my credentials"). Declared here, by the routes
 * that hand the secret out (these and provisioning's), implemented by the credential-access module and
 * wired in dependencies.ts. `record` must be cheap and never throw: it runs on the hot path, after the
 * secret was read and before it is sent, and the implementation writes behind, in batches.
 */
export interface CredentialAccessRecorder {
  record(delivery: CredentialDelivery): void;
}

/** `json`: GET /sip/credentials; a format name (`linphone-xml`, `acrobits`, `sessiontalk`); `<format>/qr.png|qr.svg`; `provisioning_link`. */
export type CredentialChannel = string;

export interface CredentialDelivery {
  userId: string;
  channel: CredentialChannel;
  /** The client address (request.ip: TRUST_PROXY decides which hop counts). */
  address: string;
  userAgent: string | undefined;
}

/** The delivery of a request, for the routes: who, by which channel, from where. */
export function deliveryOf(request: { ip: string; headers: Record<string, unknown> }, userId: string, channel: CredentialChannel): CredentialDelivery {
  const userAgent = request.headers['user-agent'];
  return { userId, channel, address: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}
