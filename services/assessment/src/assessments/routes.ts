import { IdParamsSchema, PageQuerySchema, PageSchema, decodeCursor, etagOf, ifMatchVersion, page, problemResponses, type App } from '@lms/kit'
import { AssessmentSchema, CourseParamsSchema, CreateAssessmentSchema, UpdateAssessmentSchema } from './schemas.js'
import type { AssessmentService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['assessments']

export async function assessmentRoutes(app: App, opts: { assessments: AssessmentService }) {
  const { assessments } = opts

  app.post('/api/v1/assessments', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Create an assessment (course instructor or admin)', ...secured,
      body: CreateAssessmentSchema, response: { 201: AssessmentSchema, ...problemResponses },
    },
  }, async (request, reply) => {
    const created = await assessments.create(request.user, request.body)
    reply.header('etag', etagOf(created.version))
    return reply.code(201).send(created)
  })

  app.get('/api/v1/assessments/course/:courseId', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'A course\'s assessments (enrolled students see no answers)', ...secured,
      params: CourseParamsSchema, querystring: PageQuerySchema, response: { 200: PageSchema(AssessmentSchema), ...problemResponses },
    },
  }, async (request) => {
    const { limit, cursor } = request.query
    const [after] = decodeCursor<[string]>(cursor) ?? []
    const { rows, map } = await assessments.listByCourse(request.user, request.params.courseId, { limit, ...(after ? { after } : {}) })
    return page(rows, limit, (row) => [row.id], map)
  })

  app.get('/api/v1/assessments/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'An assessment (enrolled students see no answers)', ...secured,
      params: IdParamsSchema, response: { 200: AssessmentSchema, ...problemResponses },
    },
  }, async (request, reply) => {
    const assessment = await assessments.get(request.user, request.params.id)
    reply.header('etag', etagOf(assessment.version))
    return assessment
  })

  app.put('/api/v1/assessments/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Edit an assessment (If-Match honoured; grading fields locked once attempts exist)', ...secured,
      params: IdParamsSchema, body: UpdateAssessmentSchema, response: { 200: AssessmentSchema, ...problemResponses },
    },
  }, async (request, reply) => {
    const updated = await assessments.update(request.user, request.params.id, request.body, ifMatchVersion(request))
    reply.header('etag', etagOf(updated.version))
    return updated
  })

  app.delete('/api/v1/assessments/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Delete an assessment (course instructor or admin)', ...secured,
      params: IdParamsSchema, response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    await assessments.delete(request.user, request.params.id)
    return reply.code(204).send(null)
  })
}
