import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { ADD, addExtension, DELETE, FETCH, gql, RELOAD_DELAY_MS, token, UPDATE, type Sim } from './test-helpers.ts';

const fail = (message: string) => ({ errors: [{ message, status: false }] });

describe('FreePBX simulator: extension operations (§2, §4)', () => {
  let sim: Sim;
  let bearer: string;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS });
  });
  beforeEach(async () => {
    sim.reset();
    bearer = await token(sim);
  });
  afterAll(() => sim.stop());

  it('addExtension succeeds with the exact payload and a FreePBX-generated md5-like secret', async () => {
    const { status, body } = await addExtension(sim, bearer, '1000');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { addExtension: { status: true, message: 'Extension has been created Successfully', clientMutationId: null } } });
    const fetched = await gql(sim, bearer, FETCH, { id: '1000' });
    expect(fetched.body.data.fetchExtension).toMatchObject({
      status: true,
      message: 'Extension found successfully',
      extensionId: '1000',
      tech: 'pjsip',
      user: { name: 'User 1000', extPassword: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
  });

  it('adding an existing extension is HTTP 400 "This device id is already in use"', async () => {
    await addExtension(sim, bearer, '1000');
    const { status, body } = await addExtension(sim, bearer, '1000');
    expect(status).toBe(400);
    expect(body).toEqual(fail('This device id is already in use'));
  });

  it('addExtension rejects extPassword: it is not an input field of addExtensionInput', async () => {
    const { status, body } = await addExtension(sim, bearer, '1000', { extPassword: 'x' });
    expect(status).toBe(400);
    expect(body.errors[0].message).toContain('Field "extPassword" is not defined by type "addExtensionInput".');
    const inline = await gql(sim, bearer, 'mutation { addExtension(input: {extensionId: "1", name: "a", email: "b", extPassword: "c"}) { status } }');
    expect(inline.status).toBe(400);
    expect(inline.body.errors[0]).toEqual({
      message: 'Field "extPassword" is not defined by type "addExtensionInput". Did you mean "umPassword" or "vmPassword"?',
      status: false,
    });
  });

  it('umEnable without umPassword, and a non-numeric id, are refused in that order', async () => {
    expect((await addExtension(sim, bearer, 'abc', { umEnable: true })).body).toEqual(fail('User management is enabled please provide password'));
    expect((await addExtension(sim, bearer, 'abc')).body).toEqual(fail('Please enter only numeric values'));
  });

  it('addExtension left with User Manager on sends a welcome email', async () => {
    await gql(sim, bearer, ADD, { input: { extensionId: '1000', name: 'A', email: 'a@example.test' } });
    expect(sim.counters().welcomeEmailsSent).toBe(1);
  });

  it('the licence limit refuses a new extension', async () => {
    sim.faults.setLicenceLimit(1);
    await addExtension(sim, bearer, '1000');
    const { status, body } = await addExtension(sim, bearer, '1001');
    expect(status).toBe(400);
    expect(body).toEqual(fail('Can not add extension beyond the extensions license limit'));
  });

  it('updateExtension with extPassword sets that secret', async () => {
    await addExtension(sim, bearer, '1000');
    const { status, body } = await gql(sim, bearer, UPDATE, {
      input: { extensionId: '1000', name: 'New', email: 'n@example.test', extPassword: 'S3cretS3cret', umEnable: false, vmEnable: false },
    });
    expect(status).toBe(200);
    expect(body.data.updateExtension).toEqual({ status: true, message: 'Extension has been updated' });
    const fetched = await gql(sim, bearer, FETCH, { id: '1000' });
    expect(fetched.body.data.fetchExtension.user).toMatchObject({ name: 'New', extPassword: 'S3cretS3cret' });
  });

  it('updateExtension deletes and re-creates: left-out fields reset, and a new random secret without extPassword', async () => {
    await addExtension(sim, bearer, '1000', { outboundCid: '"A" <1000>' });
    await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', name: 'N', extPassword: 'first', umEnable: false, vmEnable: false } });
    await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', umEnable: false } });
    const user = (await gql(sim, bearer, FETCH, { id: '1000' })).body.data.fetchExtension.user;
    expect(user.name).toBe('');
    expect(user.outboundCid).toBe('');
    expect(user.voicemail).toBe('default');
    expect(user.extPassword).toMatch(/^[0-9a-f]{32}$/);
  });

  it('updating a missing extension is "Extension does not exists."', async () => {
    const { status, body } = await gql(sim, bearer, UPDATE, { input: { extensionId: '4242', umEnable: false } });
    expect(status).toBe(400);
    expect(body).toEqual(fail('Extension does not exists.'));
  });

  it('deleteExtension deletes, then reports "Extension does not exists."', async () => {
    await addExtension(sim, bearer, '1000');
    const first = await gql(sim, bearer, DELETE, { input: { extensionId: '1000' } });
    expect(first.body.data.deleteExtension).toEqual({ status: true, message: 'Extension has been deleted' });
    const second = await gql(sim, bearer, DELETE, { input: { extensionId: '1000' } });
    expect(second.status).toBe(400);
    expect(second.body).toEqual(fail('Extension does not exists.'));
  });

  it('fetchExtension of an unknown extension is HTTP 400 "Extension does not exists" (no dot)', async () => {
    const { status, body } = await gql(sim, bearer, FETCH, { id: '4242' });
    expect(status).toBe(400);
    expect(body).toEqual(fail('Extension does not exists'));
  });

  it('without status selected, a failed first root field is not turned into a 400', async () => {
    const { status, body } = await gql(sim, bearer, 'query { fetchExtension(extensionId: "4242") { extensionId } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { fetchExtension: { extensionId: null } } });
  });

  it('fetchAllExtensions lists every extension with its message and total', async () => {
    await addExtension(sim, bearer, '1000');
    await addExtension(sim, bearer, '1001');
    const { body } = await gql(sim, bearer, 'query { fetchAllExtensions { status message totalCount extension { extensionId } } }');
    expect(body.data.fetchAllExtensions).toEqual({
      status: true,
      message: "Extension's found successfully",
      totalCount: 2,
      extension: [{ extensionId: '1000' }, { extensionId: '1001' }],
    });
    const page = await gql(sim, bearer, 'query { fetchAllExtensions(first: 1) { count edges { cursor } pageInfo { hasNextPage } } }');
    expect(page.body.data.fetchAllExtensions).toMatchObject({ count: 1, pageInfo: { hasNextPage: true } });
  });

  it('api 17 answers validation errors with HTTP 200 and a standard errors[] body', async () => {
    sim.faults.setApiVersion(17);
    const { status, body } = await gql(sim, bearer, 'query { fetchExtension(extensionId: "1") { nope } }');
    expect(status).toBe(200);
    expect(body.errors[0]).toMatchObject({ message: 'Cannot query field "nope" on type "extension".', locations: expect.any(Array) });
    expect(body).not.toHaveProperty('data');
  });

  it('api 16 answers a syntax error with the first error only', async () => {
    const { status, body } = await gql(sim, bearer, 'query {');
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].status).toBe(false);
  });

  it('counts calls per operation', async () => {
    await addExtension(sim, bearer, '1000');
    await gql(sim, bearer, FETCH, { id: '1000' });
    await gql(sim, bearer, FETCH, { id: '1000' });
    expect(sim.counters().operations).toEqual({ addExtension: 1, fetchExtension: 2 });
  });
});
