import type { FastifyInstance, FastifyReply } from 'fastify';
import { execute, GraphQLError, Kind, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { grantsFor, schemaFor, type FrameworkVersion } from './schema.graphql.ts';
import type { TokenStore } from './token-store.ts';

export type ApiVersion = 16 | 17;

const deniedMessage = 'The resource owner or authorization server denied the request.';

/**
 * A refused bearer token (§8). api 16 answers it in the GraphQL route: 401 `access_denied`. On api 17 the
 * `OAuthServerException` escapes the route and the framework's Whoops JSON handler answers 500, naming the
 * exception class: the string `access_denied` does not appear.
 */
function refuseBearer(reply: FastifyReply, apiVersion: ApiVersion, hint: string) {
  if (apiVersion === 16) return reply.code(401).send({ error: 'access_denied', message: deniedMessage, hint });
  return reply.code(500).send({
    error: {
      type: 'League\\OAuth2\\Server\\Exception\\OAuthServerException',
      message: deniedMessage,
      code: 9,
      file: '/var/www/html/admin/modules/api/vendor/league/oauth2-server/src/Exception/OAuthServerException.php',
      line: 243,
    },
  });
}

/**
 * Request errors (syntax, validation, variable coercion): api 16 answers HTTP 400 with the first error in
 * FreePBX's own shape; api 17 answers HTTP 200 with a standard `errors[]` body (§4, confirmed in §8).
 */
function requestErrors(reply: FastifyReply, apiVersion: ApiVersion, errors: readonly GraphQLError[]) {
  if (apiVersion === 16) return reply.code(400).send({ errors: [{ message: errors[0]?.message ?? 'Unknown error', status: false }] });
  return reply.code(200).send({ errors: errors.map((error) => error.toJSON()) });
}

/** §4: a `status: false` in the first root field, when selected, becomes HTTP 400 with the payload's message. */
function statusFailure(operation: OperationDefinitionNode, data: Record<string, unknown>): string | null {
  const first = operation.selectionSet.selections[0];
  if (first?.kind !== Kind.FIELD) return null;
  const selectsStatus = first.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'status');
  const payload = data[first.alias?.value ?? first.name.value] as { status?: unknown; message?: unknown } | null | undefined;
  if (!selectsStatus || payload?.status !== false) return null;
  return String(payload.message ?? '');
}

export function registerGqlEndpoint(
  app: FastifyInstance,
  deps: {
    tokens: TokenStore;
    apiVersion: () => ApiVersion;
    frameworkVersion: () => FrameworkVersion;
    /** A fault: true when this request's valid token is to be refused anyway (consumed per request). */
    refuseValidToken: () => boolean;
    rootValue: object;
    onRequest: () => void;
    onAuthFailure: () => void;
  },
) {
  app.post('/admin/api/api/gql', async (request, reply) => {
    deps.onRequest();
    const apiVersion = deps.apiVersion();
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    const scopes = bearer ? deps.tokens.verify(bearer) : null;
    if (!scopes || deps.refuseValidToken()) {
      deps.onAuthFailure();
      const hint = request.headers.authorization ? 'Access token could not be verified' : 'Missing "Authorization" header';
      return refuseBearer(reply, apiVersion, hint);
    }

    const body = (request.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (typeof body.query !== 'string' || body.query === '') {
      return requestErrors(reply, apiVersion, [new GraphQLError('GraphQL Request must include at least one of those two parameters: "query" or "queryId"')]);
    }
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      return requestErrors(reply, apiVersion, [error as GraphQLError]);
    }
    const schema = schemaFor(grantsFor(scopes), deps.frameworkVersion());
    const validationErrors = validate(schema, document);
    if (validationErrors.length) return requestErrors(reply, apiVersion, validationErrors);

    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined;
    const result = await execute({ schema, document, rootValue: deps.rootValue, variableValues: variables, operationName });
    if (!result.data) return requestErrors(reply, apiVersion, result.errors ?? []);

    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
    );
    const failure = operation ? statusFailure(operation, result.data) : null;
    if (failure !== null) return reply.code(400).send({ errors: [{ message: failure, status: false }] });
    return reply.code(200).send(result);
  });
}
