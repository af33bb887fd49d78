import { IdParamsSchema, problemResponses, type App } from '@lms/kit'
import { AttemptOutcomeSchema, GradeSchema, ResultsSchema, StartedAttemptSchema, SubmitSchema } from './schemas.js'
import type { AttemptService } from './service.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['attempts']

export async function attemptRoutes(app: App, opts: { attempts: AttemptService }) {
  const { attempts } = opts

  app.post('/api/v1/assessments/:id/attempts', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Start an attempt (enrolled students, within the window, under max attempts)', ...secured,
      params: IdParamsSchema, response: { 201: StartedAttemptSchema, ...problemResponses },
    },
  }, async (request, reply) => reply.code(201).send(await attempts.start(request.user, request.params.id)))

  app.post('/api/v1/assessments/:id/submit', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Submit an attempt\'s answers; objective questions are graded at once', ...secured,
      params: IdParamsSchema, body: SubmitSchema, response: { 200: AttemptOutcomeSchema, ...problemResponses },
    },
  }, async (request) => attempts.submit(request.user, request.params.id, request.body))

  app.put('/api/v1/assessments/:id/grade', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Grade or regrade an attempt by hand (course instructor or admin)', ...secured,
      params: IdParamsSchema, body: GradeSchema, response: { 200: AttemptOutcomeSchema, ...problemResponses },
    },
  }, async (request) => attempts.grade(request.user, request.params.id, request.body))

  app.get('/api/v1/assessments/:id/results', {
    preHandler: app.authenticate,
    schema: {
      tags, summary: 'Results: a student\'s own attempts; for staff every attempt and item statistics', ...secured,
      params: IdParamsSchema, response: { 200: ResultsSchema, ...problemResponses },
    },
  }, async (request) => attempts.results(request.user, request.params.id))
}
