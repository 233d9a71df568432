/** The GraphQL documents the driver sends; every value travels as a variable (freepbx-api.md §2). */
export const operations = {
  addExtension: `mutation AddExtension($input: addExtensionInput!) {
  addExtension(input: $input) { status message }
}`,
  updateExtension: `mutation UpdateExtension($input: updateExtensionInput!) {
  updateExtension(input: $input) { status message }
}`,
  deleteExtension: `mutation DeleteExtension($input: deleteExtensionInput!) {
  deleteExtension(input: $input) { status message }
}`,
  fetchExtension: `query FetchExtension($extensionId: ID) {
  fetchExtension(extensionId: $extensionId) { status message extensionId user { name extPassword } }
}`,
  fetchAllExtensions: `query FetchAllExtensions($first: Int, $after: String) {
  fetchAllExtensions(first: $first, after: $after) { status message totalCount pageInfo { hasNextPage endCursor } extension { extensionId user { name extPassword } } }
}`,
  // No variable: its type doreloadInput is missing on an older framework too, and FreePBX api 16 reports only
  // the first error ("Unknown type"), which would hide the "Cannot query field" that says what is wrong.
  doreload: `mutation Doreload {
  doreload(input: {}) { status message transaction_id }
}`,
  fetchApiStatus: `query FetchApiStatus($txnId: ID!) {
  fetchApiStatus(txnId: $txnId) { status message details }
}`,
  fetchNeedReload: `query FetchNeedReload {
  fetchNeedReload { status message }
}`,
  /** Valid on every framework that has the API (only fields both have): tells a missing scope from an old one. */
  probeApiStatus: `query ProbeApiStatus {
  fetchApiStatus(txnId: "0") { message }
}`,
} as const;

/** FreePBX's answers the driver acts on (core `Api/Gql/Extensions.php`, framework `Modules.php`). */
export const freepbxMessages = {
  inUse: 'This device id is already in use',
  licence: 'Can not add extension beyond the extensions license limit',
  missingOnUpdate: 'Extension does not exists.',
  missingOnFetch: 'Extension does not exists',
  unknownTransaction: 'Sorry unable to fetch the status',
} as const;
