import { PageQuerySchema, PageSchema, decodeCursor, etagOf, ifMatchVersion, page, problemResponses, type App } from '@lms/kit'
import { CourseParamsSchema } from '../assessments/schemas.js'
import { BankParamsSchema, CreateQuestionBankSchema, QuestionBankSchema, UpdateQuestionBankSchema, toQuestionBank } from './schemas.js'
import type { BankService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['question banks']

export async function bankRoutes(app: App, opts: { banks: BankService }) {
  const { banks } = opts

  app.post('/api/v1/assessments/banks', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Create a course\'s question bank (instructor or admin)', ...secured, body: CreateQuestionBankSchema, response: { 201: QuestionBankSchema, ...problemResponses } },
  }, async (request, reply) => {
    const bank = await banks.create(request.user, request.body)
    reply.header('etag', etagOf(bank.version))
    return reply.code(201).send(bank)
  })

  app.get('/api/v1/assessments/banks/course/:courseId', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'A course\'s question banks (staff)', ...secured, params: CourseParamsSchema, querystring: PageQuerySchema, response: { 200: PageSchema(QuestionBankSchema), ...problemResponses } },
  }, async (request) => {
    const { limit, cursor } = request.query
    const [after] = decodeCursor<[string]>(cursor) ?? []
    const rows = await banks.listByCourse(request.user, request.params.courseId, { limit, ...(after ? { after } : {}) })
    return page(rows, limit, (row) => [row.id], toQuestionBank)
  })

  app.get('/api/v1/assessments/banks/:bankId', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'A question bank (staff)', ...secured, params: BankParamsSchema, response: { 200: QuestionBankSchema, ...problemResponses } },
  }, async (request, reply) => {
    const bank = await banks.get(request.user, request.params.bankId)
    reply.header('etag', etagOf(bank.version))
    return bank
  })

  app.put('/api/v1/assessments/banks/:bankId', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Edit a question bank (If-Match honoured)', ...secured, params: BankParamsSchema, body: UpdateQuestionBankSchema, response: { 200: QuestionBankSchema, ...problemResponses } },
  }, async (request, reply) => {
    const bank = await banks.update(request.user, request.params.bankId, request.body, ifMatchVersion(request))
    reply.header('etag', etagOf(bank.version))
    return bank
  })

  app.delete('/api/v1/assessments/banks/:bankId', {
    preHandler: app.authenticate,
    schema: { tags, summary: 'Delete a question bank', ...secured, params: BankParamsSchema, response: { 204: { type: 'null' }, ...problemResponses } },
  }, async (request, reply) => {
    await banks.delete(request.user, request.params.bankId)
    return reply.code(204).send(null)
  })
}
