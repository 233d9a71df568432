import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { ADD, addExtension, API_VERSIONS, DELETE, expectRequestError, FETCH, gql, RELOAD_DELAY_MS, token, UPDATE, type Sim } from './test-helpers.ts';

const fail = (message: string) => ({ errors: [{ message, status: false }] });

describe.each(API_VERSIONS)('FreePBX simulator: extension operations (§2, §4, §8), api %i', (apiVersion) => {
  let sim: Sim;
  let bearer: string;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, apiVersion });
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
    expect(status).toBe(apiVersion === 16 ? 400 : 200);
    expect(body.errors[0].message).toContain('Field "extPassword" is not defined by type "addExtensionInput".');
    const inline = await gql(sim, bearer, 'mutation { addExtension(input: {extensionId: "1", name: "a", email: "b", extPassword: "c"}) { status } }');
    expectRequestError(apiVersion, inline, 'Field "extPassword" is not defined by type "addExtensionInput". Did you mean "umPassword" or "vmPassword"?');
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

  it('updateExtension deletes and re-creates: it keeps what FreePBX keeps and resets the rest', async () => {
    await addExtension(sim, bearer, '1000', {
      ...{ tech: 'pjsip', channelName: 'chan-1', callerID: '"A" <1000>', maxContacts: '3' },
      ...{ outboundCid: '"Out" <5551000>', emergencyCid: '911000', umEnable: true, umPassword: 'um-pw', umGroups: '1,2' },
      ...{ vmEnable: true, vmPassword: '4321' },
    });
    const { body } = await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', extPassword: 'given-secret' } });
    expect(body.data.updateExtension).toEqual({ status: true, message: 'Extension has been updated' });
    expect(sim.state.extensions()[0]).toMatchObject({
      // kept from the existing extension
      ...{ name: 'User 1000', email: 'u1000@example.test', tech: 'pjsip', channelName: 'chan-1', callerID: '"A" <1000>' },
      ...{ vmPassword: '4321', maxContacts: '3', secret: 'given-secret' },
      // reset to their defaults
      ...{ outboundCid: '', emergencyCid: '', umEnable: true, vmEnable: true, umGroups: '1' },
    });
  });

  it('updateExtension without extPassword generates a new md5-like secret; the email of an extension without User Manager is not kept', async () => {
    await addExtension(sim, bearer, '1000', { outboundCid: '"A" <1000>' });
    const before = sim.state.extensions()[0]!.secret;
    await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', umEnable: false } });
    const user = (await gql(sim, bearer, FETCH, { id: '1000' })).body.data.fetchExtension.user;
    expect(user).toMatchObject({ name: 'User 1000', outboundCid: '', voicemail: 'default', extPassword: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(user.extPassword).not.toBe(before);
    expect(sim.state.extensions()[0]).toMatchObject({ email: '', vmEnable: true });
  });

  it('silentFailNext: add and update say status true, but nothing was created or changed', async () => {
    sim.faults.silentFailNext(1);
    expect((await addExtension(sim, bearer, '1000')).body.data.addExtension).toMatchObject({ status: true });
    expect(sim.state.extensions()).toEqual([]);
    await addExtension(sim, bearer, '1000');
    const secret = sim.state.extensions()[0]!.secret;
    sim.faults.silentFailNext(1);
    const update = await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', name: 'New', extPassword: 'never-set' } });
    expect(update.body.data.updateExtension).toEqual({ status: true, message: 'Extension has been updated' });
    expect(sim.state.extensions()[0]).toMatchObject({ name: 'User 1000', secret });
    sim.faults.silentFailNext(1, { update: 'deleted' });
    expect((await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', extPassword: 'x' } })).body.data.updateExtension.status).toBe(true);
    expect(sim.state.extensions()).toEqual([]);
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

  it(`request errors: ${apiVersion === 16 ? 'HTTP 400 with the first error only' : 'HTTP 200 with a standard errors[] body'}`, async () => {
    expectRequestError(apiVersion, await gql(sim, bearer, 'query { fetchExtension(extensionId: "1") { nope } }'), 'Cannot query field "nope" on type "extension".');
    expectRequestError(apiVersion, await gql(sim, bearer, 'query {'), 'Syntax Error: Expected Name, found <EOF>.');
  });

  it('has the type details of FreePBX 17 (§8): coredevice ids and tech non-null, its user a coreuser, ExtensionEdge', async () => {
    await addExtension(sim, bearer, '1000');
    const device = await gql(sim, bearer, 'query { fetchExtension(extensionId: "1000") { coreDevice { deviceId tech dial devicetype user { extension } } } }');
    expect(device.body.data.fetchExtension.coreDevice).toEqual({ deviceId: '1000', tech: 'pjsip', dial: 'PJSIP/1000', devicetype: 'fixed', user: { extension: '1000' } });
    const typeOf = async (name: string) =>
      (await gql(sim, bearer, `{ __type(name: "${name}") { name interfaces { name } fields { name type { kind name ofType { name } } } } }`)).body.data.__type;
    const fields = Object.fromEntries((await typeOf('coredevice')).fields.map((f: any) => [f.name, f.type.kind === 'NON_NULL' ? `${f.type.ofType.name}!` : f.type.name]));
    expect(fields).toMatchObject({ deviceId: 'String!', tech: 'String!', dial: 'String!', devicetype: 'String!', user: 'coreuser' });
    expect(await typeOf('ExtensionEdge')).toMatchObject({ name: 'ExtensionEdge' });
    expect(await typeOf('module')).toMatchObject({ interfaces: [{ name: 'Node' }] });
  });

  it('counts calls per operation', async () => {
    await addExtension(sim, bearer, '1000');
    await gql(sim, bearer, FETCH, { id: '1000' });
    await gql(sim, bearer, FETCH, { id: '1000' });
    expect(sim.counters().operations).toEqual({ addExtension: 1, fetchExtension: 2 });
  });
});
