import { IdParamsSchema, PageSchema, decodeCursor, etagOf, ifMatchVersion, isSelfOrAdmin, page, problemResponses, type App } from '@lms/kit'
import { errors } from '../errors.js'
import { ChangePasswordSchema, UpdateProfileSchema, UpdateRoleSchema, UserListQuerySchema, UserSchema, toUser } from './schemas.js'
import type { UserService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }

export async function userRoutes(app: App, opts: { users: UserService }) {
  const { users } = opts

  app.get('/api/v1/users/profile', {
    preHandler: app.authenticate,
    schema: { tags: ['users'], summary: 'The caller\'s profile', ...secured, response: { 200: UserSchema, ...problemResponses } },
  }, async (request, reply) => {
    const user = await users.get(request.user.id)
    reply.header('etag', etagOf(user.version))
    return user
  })

  app.put('/api/v1/users/profile', {
    preHandler: app.authenticate,
    schema: {
      tags: ['users'], summary: 'Update the caller\'s name or email (If-Match honoured)', ...secured,
      body: UpdateProfileSchema, response: { 200: UserSchema, ...problemResponses },
    },
  }, async (request, reply) => {
    const user = await users.updateProfile(request.user, request.body, ifMatchVersion(request), request.ip)
    reply.header('etag', etagOf(user.version))
    return user
  })

  app.put('/api/v1/users/profile/password', {
    preHandler: app.authenticate,
    schema: {
      tags: ['users'], summary: 'Change the password; every other session ends', ...secured,
      body: ChangePasswordSchema, response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    await users.changePassword(request.user, request.body.currentPassword, request.body.newPassword, request.ip)
    return reply.code(204).send(null)
  })

  app.get('/api/v1/users', {
    preHandler: app.requireRole('admin'),
    schema: {
      tags: ['users'], summary: 'List users (admin): search by email or name, filter by role', ...secured,
      querystring: UserListQuerySchema, response: { 200: PageSchema(UserSchema), ...problemResponses },
    },
  }, async (request) => {
    const { limit, cursor, q, role } = request.query
    const [after] = decodeCursor<[string]>(cursor) ?? []
    const rows = await users.list({ limit, ...(after ? { after } : {}), ...(role ? { role } : {}), ...(q ? { search: q } : {}) })
    return page(rows, limit, (row) => [row.id], toUser)
  })

  app.get('/api/v1/users/:id', {
    preHandler: app.authenticate,
    schema: {
      tags: ['users'], summary: 'A user (self or admin)', ...secured,
      params: IdParamsSchema, response: { 200: UserSchema, ...problemResponses },
    },
  }, async (request, reply) => {
    if (!isSelfOrAdmin(request, request.params.id)) throw errors.USR_ERR_USER_NOT_FOUND()
    const user = await users.get(request.params.id)
    reply.header('etag', etagOf(user.version))
    return user
  })

  app.put('/api/v1/users/:id/role', {
    preHandler: app.requireRole('admin'),
    schema: {
      tags: ['users'], summary: 'Grant a role (admin); the user\'s sessions end', ...secured,
      params: IdParamsSchema, body: UpdateRoleSchema, response: { 200: UserSchema, ...problemResponses },
    },
  }, async (request) => users.changeRole(request.user, request.params.id, request.body.role, request.ip))

  app.delete('/api/v1/users/:id', {
    preHandler: app.authenticate,
    schema: {
      tags: ['users'], summary: 'Delete an account (self or admin): personal data erased, sessions ended', ...secured,
      params: IdParamsSchema, response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    if (!isSelfOrAdmin(request, request.params.id)) throw errors.USR_ERR_USER_NOT_FOUND()
    await users.delete(request.user, request.params.id, request.ip)
    return reply.code(204).send(null)
  })
}
