import { problemResponses, type App } from '@lms/kit'
import type { AuthService } from './service.js'
import { LoginSchema, LogoutSchema, RefreshSchema, RegisterSchema, TokenGrantSchema } from './schemas.js'

export async function authRoutes(app: App, opts: { auth: AuthService }) {
  const { auth } = opts

  app.post('/api/v1/auth/register', {
    schema: {
      tags: ['auth'], summary: 'Create a student account and log in',
      body: RegisterSchema, response: { 201: TokenGrantSchema, ...problemResponses },
    },
  }, async (request, reply) => {
    reply.code(201)
    return auth.register(request.body, request.ip)
  })

  app.post('/api/v1/auth/login', {
    schema: { tags: ['auth'], summary: 'Log in with email and password', body: LoginSchema, response: { 200: TokenGrantSchema, ...problemResponses } },
  }, async (request) => auth.login(request.body, request.ip))

  app.post('/api/v1/auth/refresh', {
    schema: {
      tags: ['auth'], summary: 'Trade a refresh token for new tokens (rotation; reuse ends the session)',
      body: RefreshSchema, response: { 200: TokenGrantSchema, ...problemResponses },
    },
  }, async (request) => auth.refresh(request.body.refreshToken, request.ip))

  app.post('/api/v1/auth/logout', {
    preHandler: app.authenticate,
    // The body is optional; validation would otherwise reject a missing one.
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      tags: ['auth'], summary: 'End the session of this token', security: [{ bearerAuth: [] }],
      body: LogoutSchema, response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    await auth.logout(request.user, request.body?.refreshToken, request.ip)
    return reply.code(204).send(null)
  })
}
