import { IdParamsSchema, PageSchema, decodeCursor, isSelfOrAdmin, page, problemResponses, type App } from '@lms/kit'
import { errors } from '../errors.js'
import type { BulkService } from './bulk.js'
import {
  BulkResultSchema, CreateNotificationSchema, DeliveryListSchema, NotificationListQuerySchema, NotificationSchema, ReadAllResultSchema,
  UnreadCountSchema, UserIdParamsSchema, toNotification,
} from './schemas.js'
import type { NotificationService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['notifications']

export async function notificationRoutes(app: App, opts: { notifications: NotificationService; bulk: BulkService }) {
  const { notifications, bulk } = opts

  async function list(userId: string, query: { limit: number; cursor?: string | undefined; unread?: boolean | undefined }) {
    const [after] = decodeCursor<[string]>(query.cursor) ?? []
    const rows = await notifications.list({ userId, limit: query.limit, ...(after ? { after } : {}), ...(query.unread ? { unread: true } : {}) })
    return page(rows, query.limit, (row) => [row.id], toNotification)
  }

  app.get('/api/v1/notifications/me', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'The caller\'s notifications, newest first', ...secured, querystring: NotificationListQuerySchema, response: { 200: PageSchema(NotificationSchema), ...problemResponses } },
  }, async (request) => list(request.user.id, request.query))

  app.get('/api/v1/notifications/user/:userId', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'A person\'s notifications (self or admin)', ...secured,
      params: UserIdParamsSchema, querystring: NotificationListQuerySchema, response: { 200: PageSchema(NotificationSchema), ...problemResponses },
    },
  }, async (request) => {
    if (!isSelfOrAdmin(request, request.params.userId)) throw errors.NTF_ERR_NOT_FOUND()
    return list(request.params.userId, request.query)
  })

  app.get('/api/v1/notifications/me/unread-count', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'How many of the caller\'s notifications are unread', ...secured, response: { 200: UnreadCountSchema, ...problemResponses } },
  }, async (request) => notifications.unreadCount(request.user.id))

  app.put('/api/v1/notifications/read-all', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Mark every notification of the caller read', ...secured, response: { 200: ReadAllResultSchema, ...problemResponses } },
  }, async (request) => notifications.markAllRead(request.user.id))

  app.put('/api/v1/notifications/:id/read', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Mark one of the caller\'s notifications read', ...secured, params: IdParamsSchema, response: { 200: NotificationSchema, ...problemResponses } },
  }, async (request) => notifications.markRead(request.user.id, request.params.id))

  app.delete('/api/v1/notifications/:id', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Delete one of the caller\'s notifications', ...secured, params: IdParamsSchema, response: { 204: { type: 'null' }, ...problemResponses } },
  }, async (request, reply) => {
    await notifications.delete(request.user.id, request.params.id)
    return reply.code(204).send(null)
  })

  app.get('/api/v1/notifications/:id/deliveries', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Delivery status per channel (owner or admin)', ...secured, params: IdParamsSchema, response: { 200: DeliveryListSchema, ...problemResponses } },
  }, async (request) => notifications.deliveries(request.user, request.params.id))

  app.post('/api/v1/notifications', {
    preHandler: app.requireRole('instructor', 'admin'),
    schema: {
      tags, summary: 'Message all students of an own course (instructor), or a course, everyone or a role (admin)', ...secured,
      body: CreateNotificationSchema, response: { 202: BulkResultSchema, ...problemResponses },
    },
  }, async (request, reply) => reply.code(202).send(await bulk.send(request.user, request.body)))
}
