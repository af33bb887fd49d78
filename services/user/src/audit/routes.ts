import Type from 'typebox'
import { IdSchema, PageQuerySchema, PageSchema, decodeCursor, page, problemResponses, type App } from '@lms/kit'
import type { Database } from '../database.js'
import type { Kysely } from 'kysely'
import { listAuditLogs } from './repository.js'

export const AuditLogSchema = Type.Object({
  id: IdSchema,
  action: Type.String(),
  actorId: Type.Union([IdSchema, Type.Null()]),
  targetUserId: Type.Union([IdSchema, Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
})

export const AuditLogListQuerySchema = Type.Object({
  ...PageQuerySchema.properties,
  action: Type.Optional(Type.String({ maxLength: 64 })),
  userId: Type.Optional(IdSchema),
}, { additionalProperties: false })

export async function auditRoutes(app: App, opts: { db: Kysely<Database> }) {
  app.get('/api/v1/audit-logs', {
    preHandler: app.requireRole('admin'),
    schema: {
      tags: ['audit'], summary: 'Sensitive actions, newest first (admin)', security: [{ bearerAuth: [] }],
      querystring: AuditLogListQuerySchema,
      response: { 200: PageSchema(AuditLogSchema), ...problemResponses },
    },
  }, async (request) => {
    const { limit, cursor, action, userId } = request.query
    const [before] = decodeCursor<[string]>(cursor) ?? []
    const rows = await listAuditLogs(opts.db, { limit, ...(before ? { before } : {}), ...(action ? { action } : {}), ...(userId ? { userId } : {}) })
    return page(rows, limit, (row) => [row.id], (row) => ({ ...row, createdAt: row.createdAt.toISOString() }))
  })
}
