import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotFound } from '../../errors.js'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, notModified, problems, ref } from '../../schemas.js'
import { CreatedToken, NewToken, Token, TokenList, TokenListQuery, TokenParams } from './schemas.js'
import * as service from './service.js'

const tags = ['tokens']

/** Token management: admins only. The CLI's `token` commands use the same service. */
const tokensRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('admin'))

  app.get('', {
    schema: {
      tags,
      operationId: 'listTokens',
      summary: 'List API tokens',
      description: 'Every token with its role, last use and state; never a secret.',
      security: writeSecurity,
      querystring: TokenListQuery,
      response: { 200: answer(TokenList, 'list', 'A page of tokens, oldest first'), ...problems(400, 401, 403) }
    }
  }, async (request, reply) => pageBody(reply, await service.pageOfTokens(app.store, request.query)))

  app.post('', {
    config: { secretInAnswer: true },
    schema: {
      tags,
      operationId: 'createToken',
      summary: 'Create an API token',
      description: 'The answer carries the secret, once: only its hash is stored. ' +
        'Retried with the same `Idempotency-Key`, no second token is made and the answer is a 409 `secret-shown-once` problem ' +
        'with the first token\'s `Location`, never the secret again (it is kept nowhere); if the first answer was lost, revoke that token and create another.',
      security: writeSecurity,
      body: ref(NewToken),
      response: { 201: answer(CreatedToken, 'created', 'The new token, with its secret'), ...problems(400, 401, 403, 413, 415) }
    }
  }, async (request, reply) => {
    const { token, secret } = await service.createToken(app.store, request.body, 'body.')
    // The secret must not sit in a cache anywhere.
    reply.header('cache-control', 'no-store')
    return reply.code(201).header('location', `/v1/tokens/${token.id}`).send({ ...token, secret })
  })

  // Where a created token's `Location` points: its role, state and last use, never its secret.
  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getToken',
      summary: 'Get an API token',
      description: 'The token\'s role, author, last use and state (revoked or expired tokens too); never its secret.',
      security: writeSecurity,
      params: TokenParams,
      response: { 200: answer(Token, 'single', 'The token'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => {
    const token = await service.findToken(app.store, request.params.id)
    if (token === null) throw new NotFound(`There is no token ${request.params.id}`)
    return token
  })

  app.delete('/:id', {
    schema: {
      tags,
      operationId: 'revokeToken',
      summary: 'Revoke an API token',
      description: 'It stops working at once.',
      security: writeSecurity,
      params: TokenParams,
      response: { 204: deleted, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    if (!(await service.revokeToken(app.store, request.params.id))) throw new NotFound(`There is no active token ${request.params.id}`)
    return reply.code(204).send(null)
  })
}

export default tokensRoutes
