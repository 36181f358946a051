// The OAuth2 authorization-code flow of third-party connections: an authorize URL carrying a
// single-use `state`, and the callback the provider redirects the admin's browser to, which
// exchanges the code and stores the tokens (encrypted) with the connection. The callback needs
// no bearer token (a browser redirect carries none): the state is what authenticates it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchboardError } from '../../core/errors';
import * as oauthStates from '../../core/store/tables/oauth-states';
import { PUBLIC, requires } from '../auth/scopes';
import { clientOf, loadConnection, viewOf } from '../connections';
import { idParams, responses, type IdParams } from '../schemas/common';

export const CALLBACK_PATH = '/oauth/callback';

export interface OAuthFlowOptions {
  /** The server's public base URL (behind a proxy); else taken from the request. */
  publicUrl: string | undefined;
}

interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

function defaultRedirect(request: FastifyRequest, publicUrl: string | undefined): string {
  const base = publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base.replace(/\/+$/, '')}${CALLBACK_PATH}`;
}

export async function connectionOAuthRoutes(app: FastifyInstance, options: OAuthFlowOptions): Promise<void> {
  const engine = app.engine;
  const tags = ['connections'];

  app.post<{ Params: IdParams; Body: { redirect_uri?: string } | undefined }>(
    '/connections/:id/oauth/authorize',
    {
      schema: {
        tags,
        summary: 'Start the OAuth2 authorization-code flow',
        description: `For connectors whose auth is \`oauth2\` with \`grant: authorization_code\`. Send the admin's browser to \`authorize_url\`; the provider redirects it to \`redirect_uri\` (default \`<server>${CALLBACK_PATH}\`, register it with the provider), which stores the tokens. The state expires after 10 minutes and works once.`,
        security: requires('connections:admin'),
        params: idParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { redirect_uri: { type: 'string', format: 'uri', maxLength: 2000, description: `Where the provider sends the browser back; it must reach this server's ${CALLBACK_PATH}.` } } },
        response: responses({
          200: {
            type: 'object',
            required: ['authorize_url', 'redirect_uri', 'expires_at'],
            properties: { authorize_url: { type: 'string' }, redirect_uri: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } },
          },
        }),
      },
    },
    async (request) => {
      const connection = await loadConnection(engine, request.params.id);
      const auth = engine.connector(connection.connectorId).auth;
      if (auth?.type !== 'oauth2' || auth.grant !== 'authorization_code') {
        throw new SwitchboardError('SB_BAD_REQUEST', `connector "${connection.connectorId}" does not use the oauth2 authorization_code grant`);
      }
      const redirectUri = request.body?.redirect_uri ?? defaultRedirect(request, options.publicUrl);
      const { client } = await clientOf(engine, connection);
      await oauthStates.purgeExpired(engine.db);
      const { state, expiresAt } = await oauthStates.create(engine.db, { connectionId: connection.id, redirectUri });
      request.log.info({ connection: connection.id }, 'oauth2 authorization started');
      return { authorize_url: client.authorizationUrl({ redirectUri, state }), redirect_uri: redirectUri, expires_at: expiresAt };
    },
  );

  app.get<{ Querystring: CallbackQuery }>(
    CALLBACK_PATH,
    {
      schema: {
        tags,
        summary: 'OAuth2 callback (the provider redirects here)',
        description: 'Exchanges `code` for tokens and stores them with the connection the `state` names. Needs no bearer token: the single-use state authenticates the request.',
        security: PUBLIC,
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 4096 },
            state: { type: 'string', minLength: 1, maxLength: 200 },
            error: { type: 'string', maxLength: 200, description: 'Set by the provider when the admin refused, or the request was invalid.' },
            error_description: { type: 'string', maxLength: 2000 },
          },
        },
        response: responses({
          200: { type: 'object', required: ['authorized', 'connection'], properties: { authorized: { type: 'boolean', enum: [true] }, connection: { $ref: 'Connection#' } } },
        }),
      },
    },
    async (request) => {
      const { code, state, error } = request.query;
      if (state === undefined) throw new SwitchboardError('SB_BAD_REQUEST', 'querystring/state is missing');
      const pending = await oauthStates.consume(engine.db, state);
      if (pending === undefined) throw new SwitchboardError('SB_BAD_REQUEST', 'the state is unknown, expired or already used: start the authorization again');
      if (error !== undefined) {
        const why = request.query.error_description === undefined ? '' : `: ${request.query.error_description.slice(0, 300)}`;
        throw new SwitchboardError('SB_BAD_REQUEST', `the provider refused the authorization (${error.slice(0, 100)}${why})`);
      }
      if (code === undefined) throw new SwitchboardError('SB_BAD_REQUEST', 'querystring/code is missing');
      const connection = await loadConnection(engine, pending.connectionId);
      const { client } = await clientOf(engine, connection);
      await client.completeAuthorization({ code, redirectUri: pending.redirectUri });
      request.log.info({ connection: connection.id }, 'oauth2 authorization completed');
      return { authorized: true, connection: viewOf(engine, await loadConnection(engine, connection.id)) };
    },
  );
}
