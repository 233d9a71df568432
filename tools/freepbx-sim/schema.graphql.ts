import { buildSchema, type GraphQLSchema } from 'graphql';

/**
 * The GraphQL schema of FreePBX's api module as far as core extensions and framework reloads go
 * (freepbx-api.md §2, type details from §8), split by the scope that exposes each root field: FreePBX leaves
 * a module's fields out of the schema when the token lacks its scope, so a call fails validation (§1).
 * The framework's part depends on its version: `doreload`, `fetchNeedReload` and `module.details` came
 * with the 17-era framework; an older one has only `fetchApiStatus`, on a `module` whose status is a String.
 */

/** The framework module's generation (separate from the api module's): 17 has Apply Config over the API. */
export type FrameworkVersion = 16 | 17;

const coreWriteMutations = `
  addExtension(input: addExtensionInput!): addExtensionPayload
  updateExtension(input: updateExtensionInput!): updateExtensionPayload
  deleteExtension(input: deleteExtensionInput!): deleteExtensionPayload
  createRangeofExtension(input: CreateRangeofExtensionInput!): CreateRangeofExtensionPayload`;

const frameworkMutations: Record<FrameworkVersion, string> = {
  16: '',
  17: `
  doreload(input: doreloadInput!): doreloadPayload`,
};

const coreReadQueries = `
  fetchExtension(extensionId: ID): extension
  fetchAllExtensions(after: String, first: Int, before: String, last: Int): ExtensionConnection`;

const frameworkQueries: Record<FrameworkVersion, string> = {
  16: `
  fetchApiStatus(txnId: ID!): module`,
  17: `
  fetchApiStatus(txnId: ID!): module
  fetchNeedReload: module`,
};

const frameworkTypes: Record<FrameworkVersion, string> = {
  16: 'type module implements Node { id: ID!  status: String  message: String }',
  17: `type module implements Node { id: ID!  status: Boolean  message: String  details: String }
input doreloadInput { clientMutationId: String }
type doreloadPayload { status: Boolean  message: String  transaction_id: String  clientMutationId: String }`,
};

/** A type needs one field; real FreePBX always has other modules' fields here. */
const placeholderField = `
  _simulatorPlaceholder: Boolean`;

const extensionFields = `
  extensionId: ID!
  tech: String
  channelName: String
  outboundCid: String
  emergencyCid: String
  email: String
  umEnable: Boolean
  umGroups: String
  vmEnable: Boolean
  vmPassword: String
  callerID: String
  umPassword: String
  maxContacts: String
  clientMutationId: String`;

const types = `
interface Node { id: ID! }

input addExtensionInput {
  ${extensionFields.replace('email: String', 'email: String!')}
  name: String!
}
input updateExtensionInput {
  ${extensionFields}
  name: String
  extPassword: String
}
input deleteExtensionInput { extensionId: ID!  clientMutationId: String }
input CreateRangeofExtensionInput {
  startExtension: ID!
  name: String!
  tech: String
  numberOfExtensions: ID!
  umEnable: Boolean
  outboundCid: String
  umGroups: String
  emergencyCid: String
  email: String!
  vmEnable: Boolean
  vmPassword: String
  callerID: String
  channelName: String
  clientMutationId: String
}

type addExtensionPayload { status: Boolean  message: String  clientMutationId: String }
type updateExtensionPayload { status: Boolean  message: String  clientMutationId: String }
type deleteExtensionPayload { status: Boolean  message: String  clientMutationId: String }
type CreateRangeofExtensionPayload { status: Boolean  message: String  clientMutationId: String }

type extension implements Node {
  id: ID!
  extensionId: ID
  tech: String
  user: coreuser
  coreDevice: coredevice
  status: Boolean
  message: String
}
type coreuser implements Node {
  id: ID!
  extension: String!
  name: String
  password: String
  outboundCid: String
  extPassword: String
  voicemail: String
  ringtimer: Int
  noanswer: String
  recording: String
  sipname: String
  mohclass: String
}
type coredevice implements Node {
  id: ID!
  deviceId: String!
  tech: String!
  dial: String!
  devicetype: String!
  user: coreuser
  description: String
  emergencyCid: String
  callerId: String
}
type PageInfo { hasNextPage: Boolean!  hasPreviousPage: Boolean!  startCursor: String  endCursor: String }
type ExtensionEdge { node: extension  cursor: String! }
type ExtensionConnection {
  pageInfo: PageInfo!
  edges: [ExtensionEdge]
  totalCount: Int
  count: Int
  extension: [extension]
  status: Boolean
  message: String
}
`;

export interface ScopeGrants {
  coreRead: boolean;
  coreWrite: boolean;
  framework: boolean;
}

/** Which parts of the schema a set of token scopes exposes (§1). */
export function grantsFor(scopes: readonly string[]): ScopeGrants {
  const has = (...accepted: string[]) => scopes.some((scope) => accepted.includes(scope));
  return {
    coreRead: has('gql', 'gql:core', 'gql:core:read'),
    coreWrite: has('gql', 'gql:core', 'gql:core:write'),
    framework: has('gql', 'gql:framework', 'gql:framework:read', 'gql:framework:read:modules'),
  };
}

const cache = new Map<string, GraphQLSchema>();

export function schemaFor(grants: ScopeGrants, framework: FrameworkVersion): GraphQLSchema {
  const key = `${grants.coreRead}/${grants.coreWrite}/${grants.framework}/${framework}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const mutations = (grants.coreWrite ? coreWriteMutations : '') + (grants.framework ? frameworkMutations[framework] : '');
  const queries = (grants.coreRead ? coreReadQueries : '') + (grants.framework ? frameworkQueries[framework] : '');
  const schema = buildSchema(`
type Query {${queries || placeholderField}
}
type Mutation {${mutations || placeholderField}
}
${types}
${frameworkTypes[framework]}
`);
  cache.set(key, schema);
  return schema;
}
