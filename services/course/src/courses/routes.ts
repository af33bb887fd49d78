import { etagOf, ifMatchVersion, PageSchema, ProblemSchema, problemResponses, type App } from '@lms/kit'
import type { FastifyReply } from 'fastify'
import Type from 'typebox'
import { actorOf } from '../actor.js'
import type { CachedCourse } from '../cache/course-cache.js'
import type { ServiceDeps } from '../service-deps.js'
import {
  CloneCourseSchema, CourseListQuerySchema, CourseParamsSchema, CourseSchema, CourseSummarySchema, CreateCourseSchema,
  UpdateCourseSchema, VersionParamsSchema, VersionSchema, VersionSummarySchema,
} from './schemas.js'
import * as service from './service.js'
import type { CourseDoc } from './table.js'

const JSON_TYPE = 'application/json; charset=utf-8'

/** Sends a cached entry's JSON as is (no re-serialisation on the hot path). */
export function sendEntry(reply: FastifyReply, entry: CachedCourse) {
  return reply.header('etag', etagOf(entry.version)).type(JSON_TYPE).send(entry.json)
}

function sendCourse(reply: FastifyReply, doc: CourseDoc, status = 200) {
  return reply.code(status).header('etag', etagOf(doc.version)).send(service.toCourse(doc))
}

/** Courses: CRUD, lifecycle, clone, versions. */
export async function courseRoutes(app: App, deps: ServiceDeps) {
  const tags = ['courses']
  const security = [{ bearerAuth: [] }]
  const writer = app.requireRole('instructor', 'admin')

  app.get('/api/v1/courses', {
    preHandler: app.optionalAuth,
    schema: { tags, querystring: CourseListQuerySchema, response: { 200: PageSchema(CourseSummarySchema), 400: ProblemSchema, 401: ProblemSchema } },
  }, async (request, reply) => {
    const actor = actorOf(request)
    const load = async () => JSON.stringify(await service.listCourses(deps, actor, request.query))
    const json = request.query.cursor
      ? await load()
      : await deps.cache.page('list', service.listScope(actor), request.query, load)
    return reply.type(JSON_TYPE).send(json as never)
  })

  app.post('/api/v1/courses', {
    preHandler: writer,
    schema: { tags, security, body: CreateCourseSchema, response: { 201: CourseSchema, ...problemResponses } },
  }, async (request, reply) => {
    const doc = await service.createCourse(deps, actorOf(request)!, request.body)
    return sendCourse(reply.header('location', `/api/v1/courses/${doc._id}`), doc, 201)
  })

  app.get('/api/v1/courses/:id', {
    preHandler: app.optionalAuth,
    schema: { tags, params: CourseParamsSchema, response: { 200: CourseSchema, 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema } },
  }, async (request, reply) => sendEntry(reply, await service.getCourseEntry(deps, actorOf(request), request.params.id)))

  app.put('/api/v1/courses/:id', {
    preHandler: writer,
    schema: { tags, security, params: CourseParamsSchema, body: UpdateCourseSchema, response: { 200: CourseSchema, ...problemResponses } },
  }, async (request, reply) => {
    const doc = await service.updateCourse(deps, actorOf(request), request.params.id, request.body, ifMatchVersion(request))
    return sendCourse(reply, doc)
  })

  app.delete('/api/v1/courses/:id', {
    preHandler: writer,
    schema: { tags, security, params: CourseParamsSchema, response: { 204: Type.Null(), ...problemResponses } },
  }, async (request, reply) => {
    await service.removeCourse(deps, actorOf(request), request.params.id)
    return reply.code(204).send(null)
  })

  const lifecycle = { tags, security, params: CourseParamsSchema, response: { 200: CourseSchema, ...problemResponses } }
  app.post('/api/v1/courses/:id/submit', { preHandler: writer, schema: lifecycle },
    async (request, reply) => sendCourse(reply, await service.submitCourse(deps, actorOf(request), request.params.id)))
  app.post('/api/v1/courses/:id/publish', { preHandler: writer, schema: lifecycle },
    async (request, reply) => sendCourse(reply, await service.publishCourse(deps, actorOf(request), request.params.id)))
  app.post('/api/v1/courses/:id/archive', { preHandler: writer, schema: lifecycle },
    async (request, reply) => sendCourse(reply, await service.archiveCourse(deps, actorOf(request), request.params.id)))

  app.post('/api/v1/courses/:id/clone', {
    onRequest: writer,
    // The body is optional: an empty POST clones with a generated code.
    preValidation: async (request) => { request.body ??= {} },
    schema: { tags, security, params: CourseParamsSchema, body: CloneCourseSchema, response: { 201: CourseSchema, ...problemResponses } },
  }, async (request, reply) => {
    const doc = await service.cloneCourse(deps, actorOf(request)!, request.params.id, request.body)
    return sendCourse(reply.header('location', `/api/v1/courses/${doc._id}`), doc, 201)
  })

  app.get('/api/v1/courses/:id/versions', {
    preHandler: app.optionalAuth,
    schema: { tags, params: CourseParamsSchema, response: { 200: PageSchema(VersionSummarySchema), 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema } },
  }, async (request) => ({ items: await service.listVersions(deps, actorOf(request), request.params.id), nextCursor: null }))

  app.get('/api/v1/courses/:id/versions/:n', {
    preHandler: app.optionalAuth,
    schema: { tags, params: VersionParamsSchema, response: { 200: VersionSchema, 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema } },
  }, async (request) => service.getVersion(deps, actorOf(request), request.params.id, request.params.n))
}
