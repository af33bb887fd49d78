import { IdParamsSchema, PageSchema, decodeCursor, page, problemResponses, type App } from '@lms/kit'
import { EnrollmentListQuerySchema } from '../enrollments/schemas.js'
import { WaitlistEntrySchema } from './schemas.js'
import type { WaitlistService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['enrollments']

export async function waitlistRoutes(app: App, opts: { waitlist: WaitlistService }) {
  const { waitlist } = opts

  app.get('/api/v1/enrollments/waitlist/me', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'The caller\'s waitlist entries, newest first, with the current position of each waiting one',
      querystring: EnrollmentListQuerySchema, response: { 200: PageSchema(WaitlistEntrySchema), ...problemResponses },
    },
  }, async (request) => {
    const { limit, cursor } = request.query
    const [before] = decodeCursor<[string]>(cursor) ?? []
    const entries = await waitlist.listOfUser(request.user.id, { limit, ...(before ? { before } : {}) })
    return page(entries, limit, (e) => [e.id], (e) => e)
  })

  app.get('/api/v1/enrollments/waitlist/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'A waitlist entry with its position (owner or admin, else 404)',
      params: IdParamsSchema, response: { 200: WaitlistEntrySchema, ...problemResponses },
    },
  }, async (request) => waitlist.get(request.user, request.params.id))

  app.delete('/api/v1/enrollments/waitlist/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'Leave the waitlist (owner or admin); 409 once promoted',
      params: IdParamsSchema, response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    await waitlist.leave(request.user, request.params.id)
    return reply.code(204).send(null)
  })
}
