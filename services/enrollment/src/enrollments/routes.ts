import Type from 'typebox'
import { IdParamsSchema, PageSchema, ProblemSchema, decodeCursor, isSelfOrAdmin, page, problemResponses, type App } from '@lms/kit'
import { errors } from '../errors.js'
import {
  CourseParamsSchema, CourseStatsSchema, CreateEnrollmentSchema, EnrollmentDetailSchema, EnrollmentListQuerySchema, EnrollmentSchema,
  UpdateProgressSchema, UserParamsSchema, toEnrollment,
} from './schemas.js'
import type { EnrollmentService } from './service.js'
import { WaitlistEntrySchema } from '../waitlist/schemas.js'

const secured = { security: [{ bearerAuth: [] }] }
const tags = ['enrollments']
/** 409 on enroll names the rule (`reason: course_full`); 422 on progress lists the missing prerequisites. */
const ConflictSchema = Type.Object({ ...ProblemSchema.properties, reason: Type.Optional(Type.String()) })
const RuleSchema = Type.Object({ ...ProblemSchema.properties, missingLessonIds: Type.Optional(Type.Array(Type.String())) })

export async function enrollmentRoutes(app: App, opts: { enrollments: EnrollmentService }) {
  const { enrollments } = opts

  app.post('/api/v1/enrollments', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured,
      summary: 'Enroll the caller (or, for an admin, `userId`) in a published course',
      description: '404 ENR_ERR_COURSE_NOT_AVAILABLE while the course has not reached this service\'s read model (not published yet, or its event is still on its way); 422 for a draft or archived course; 409 when already enrolled or the course is full (`reason: course_full`). With `waitlist: true` a full course answers 202 with a waitlist entry (its `position`) instead; a drop promotes the first waiting student to an enrollment.',
      body: CreateEnrollmentSchema, response: { 201: EnrollmentSchema, 202: WaitlistEntrySchema, ...problemResponses, 409: ConflictSchema },
    },
  }, async (request, reply) => {
    const result = await enrollments.enroll(request.user, request.body)
    if (result.waitlisted) return reply.code(202).header('location', `/api/v1/enrollments/waitlist/${result.waitlisted.id}`).send(result.waitlisted)
    return reply.code(201).header('location', `/api/v1/enrollments/${result.enrollment.id}`).send(result.enrollment)
  })

  app.get('/api/v1/enrollments/me', {
    preHandler: app.authenticate,
    schema: { tags, ...secured, summary: 'The caller\'s enrollments, newest first', querystring: EnrollmentListQuerySchema, response: { 200: PageSchema(EnrollmentSchema), ...problemResponses } },
  }, async (request) => {
    const { limit, cursor } = request.query
    const [before] = decodeCursor<[string]>(cursor) ?? []
    return page(await enrollments.listOfUser(request.user.id, { limit, ...(before ? { before } : {}) }), limit, (r) => [r.id], toEnrollment)
  })

  app.get('/api/v1/enrollments/user/:userId', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'A user\'s enrollments (self or admin)',
      params: UserParamsSchema, querystring: EnrollmentListQuerySchema, response: { 200: PageSchema(EnrollmentSchema), ...problemResponses },
    },
  }, async (request) => {
    if (!isSelfOrAdmin(request, request.params.userId)) throw errors.ENR_ERR_ENROLLMENT_NOT_FOUND()
    const { limit, cursor } = request.query
    const [before] = decodeCursor<[string]>(cursor) ?? []
    return page(await enrollments.listOfUser(request.params.userId, { limit, ...(before ? { before } : {}) }), limit, (r) => [r.id], toEnrollment)
  })

  app.get('/api/v1/enrollments/course/:courseId', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'Roster of a course with each enrollment\'s progress (the course\'s instructor or admin)',
      params: CourseParamsSchema, querystring: EnrollmentListQuerySchema, response: { 200: PageSchema(EnrollmentSchema), ...problemResponses },
    },
  }, async (request) => {
    const { limit, cursor } = request.query
    const [before] = decodeCursor<[string]>(cursor) ?? []
    const rows = await enrollments.listOfCourse(request.user, request.params.courseId, { limit, ...(before ? { before } : {}) })
    return page(rows, limit, (r) => [r.id], toEnrollment)
  })

  app.get('/api/v1/enrollments/course/:courseId/stats', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'Enrollment statistics of a course (the course\'s instructor or admin)',
      params: CourseParamsSchema, response: { 200: CourseStatsSchema, ...problemResponses },
    },
  }, async (request) => enrollments.stats(request.user, request.params.courseId))

  app.get('/api/v1/enrollments/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'An enrollment with its lesson progress (owner, the course\'s instructor, admin)',
      params: IdParamsSchema, response: { 200: EnrollmentDetailSchema, ...problemResponses },
    },
  }, async (request) => enrollments.get(request.user, request.params.id))

  app.put('/api/v1/enrollments/:id/progress', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'Record progress on one lesson (owner or admin)',
      description: '422 when the lesson is not in the course or its prerequisites are not completed; 409 after the enrollment was dropped.',
      params: IdParamsSchema, body: UpdateProgressSchema, response: { 200: EnrollmentDetailSchema, ...problemResponses, 422: RuleSchema },
    },
  }, async (request) => enrollments.updateProgress(request.user, request.params.id, request.body))

  app.delete('/api/v1/enrollments/:id', {
    preHandler: app.authenticate,
    schema: {
      tags, ...secured, summary: 'Drop an active enrollment (owner or admin); the seat frees',
      params: IdParamsSchema, response: { 204: { type: 'null' }, ...problemResponses },
    },
  }, async (request, reply) => {
    await enrollments.drop(request.user, request.params.id)
    return reply.code(204).send(null)
  })
}
