import { expect } from 'vitest';
import type { FreepbxSimulator } from './testing.ts';

/** Shared by the contract tests: everything goes over real HTTP with plain fetch. */
export type Sim = FreepbxSimulator;

/** The reload delay of the contract tests' simulators (`startSimulator` in ./testing.ts). */
export const RELOAD_DELAY_MS = 50;

export async function requestToken(sim: Sim, form: Record<string, string> = {}) {
  const client = sim.clients[0]!;
  const response = await fetch(`${sim.url}/admin/api/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'gql:core gql:framework',
      ...form,
    }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export async function token(sim: Sim, scope = 'gql:core gql:framework'): Promise<string> {
  const { body } = await requestToken(sim, { scope });
  return String(body.access_token);
}

export async function gql(sim: Sim, bearer: string | null, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${sim.url}/admin/api/api/gql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

export const ADD = `mutation ($input: addExtensionInput!) { addExtension(input: $input) { status message clientMutationId } }`;
export const UPDATE = `mutation ($input: updateExtensionInput!) { updateExtension(input: $input) { status message } }`;
export const DELETE = `mutation ($input: deleteExtensionInput!) { deleteExtension(input: $input) { status message } }`;
export const FETCH = `query ($id: ID) { fetchExtension(extensionId: $id) { status message extensionId tech user { name extPassword outboundCid voicemail } } }`;
export const RELOAD = `mutation { doreload(input: {}) { status message transaction_id } }`;
export const STATUS = `query ($txn: ID!) { fetchApiStatus(txnId: $txn) { status message details } }`;

/** The api module generations the contract tests run against (`apiVersion` in ./server.ts). */
export const API_VERSIONS = [16, 17] as const;

/**
 * A GraphQL request error (syntax, validation) as each api version answers it: 16 → HTTP 400 with the first
 * error only, in FreePBX's `{message, status: false}` shape; 17 → HTTP 200 with the standard `errors[]`.
 */
export function expectRequestError(apiVersion: 16 | 17, reply: { status: number; body: any }, message: string): void {
  if (apiVersion === 16) {
    expect(reply).toEqual({ status: 400, body: { errors: [{ message, status: false }] } });
  } else {
    expect(reply.status).toBe(200);
    expect(reply.body).not.toHaveProperty('data');
    expect(reply.body.errors[0]).toMatchObject({ message, locations: expect.any(Array) });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function addExtension(sim: Sim, bearer: string, extensionId: string, extra: Record<string, unknown> = {}) {
  return gql(sim, bearer, ADD, {
    input: { extensionId, name: `User ${extensionId}`, email: `u${extensionId}@example.test`, umEnable: false, vmEnable: false, ...extra },
  });
}

/** Starts a reload and waits until it leaves Processing; returns the final message. */
export async function reloadAndWait(sim: Sim, bearer: string): Promise<string> {
  const started = await gql(sim, bearer, RELOAD);
  const txn = started.body.data.doreload.transaction_id;
  for (;;) {
    const { body } = await gql(sim, bearer, STATUS, { txn });
    if (body.data.fetchApiStatus.message !== 'Processing') return body.data.fetchApiStatus.message;
    await sleep(10);
  }
}
