import { etagOf, ifMatchVersion, ProblemSchema, problemResponses, type App } from '@lms/kit'
import type { FastifyReply } from 'fastify'
import Type from 'typebox'
import { actorOf } from '../actor.js'
import { CourseParamsSchema, LessonSchema, ModuleSchema, OutlineSchema } from '../courses/schemas.js'
import { sendEntry } from '../courses/routes.js'
import { getOutlineEntry } from '../courses/service.js'
import type { CourseDoc } from '../courses/table.js'
import type { ServiceDeps } from '../service-deps.js'
import {
  CreateLessonSchema, CreateModuleSchema, LessonOrderSchema, LessonParamsSchema, ModuleOrderSchema, ModuleParamsSchema,
  UpdateLessonSchema, UpdateModuleSchema,
} from './schemas.js'
import * as service from './service.js'

const outlineOf = (doc: CourseDoc) => ({ courseId: doc._id, version: doc.version, modules: doc.modules })
const tagged = (reply: FastifyReply, doc: CourseDoc) => reply.header('etag', etagOf(doc.version))

/** Modules and lessons under `/api/v1/courses/{id}/modules`; every write takes an optional If-Match of the course. */
export async function moduleRoutes(app: App, deps: ServiceDeps) {
  const tags = ['modules']
  const security = [{ bearerAuth: [] }]
  const writer = app.requireRole('instructor', 'admin')
  const base = '/api/v1/courses/:id/modules'

  app.get(base, {
    preHandler: app.optionalAuth,
    schema: { tags, params: CourseParamsSchema, response: { 200: OutlineSchema, 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema } },
  }, async (request, reply) => sendEntry(reply, await getOutlineEntry(deps, actorOf(request), request.params.id)))

  app.post(base, {
    preHandler: writer,
    schema: { tags, security, params: CourseParamsSchema, body: CreateModuleSchema, response: { 201: ModuleSchema, ...problemResponses } },
  }, async (request, reply) => {
    const { doc, module } = await service.addModule(deps, actorOf(request), request.params.id, request.body, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).code(201).send(module)
  })

  app.put(`${base}/order`, {
    preHandler: writer,
    schema: { tags, security, params: CourseParamsSchema, body: ModuleOrderSchema, response: { 200: OutlineSchema, ...problemResponses } },
  }, async (request, reply) => {
    const doc = await service.reorderModules(deps, actorOf(request), request.params.id, request.body.moduleIds, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).send(outlineOf(doc))
  })

  app.put(`${base}/:moduleId`, {
    preHandler: writer,
    schema: { tags, security, params: ModuleParamsSchema, body: UpdateModuleSchema, response: { 200: ModuleSchema, ...problemResponses } },
  }, async (request, reply) => {
    const { id, moduleId } = request.params
    const { doc, module } = await service.updateModule(deps, actorOf(request), id, moduleId, request.body, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).send(module)
  })

  app.delete(`${base}/:moduleId`, {
    preHandler: writer,
    schema: { tags, security, params: ModuleParamsSchema, response: { 204: Type.Null(), ...problemResponses } },
  }, async (request, reply) => {
    const doc = await service.deleteModule(deps, actorOf(request), request.params.id, request.params.moduleId, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).code(204).send()
  })

  app.post(`${base}/:moduleId/lessons`, {
    preHandler: writer,
    schema: { tags, security, params: ModuleParamsSchema, body: CreateLessonSchema, response: { 201: LessonSchema, ...problemResponses } },
  }, async (request, reply) => {
    const { id, moduleId } = request.params
    const { doc, lesson } = await service.addLesson(deps, actorOf(request), id, moduleId, request.body, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).code(201).send(lesson)
  })

  app.put(`${base}/:moduleId/lessons/order`, {
    preHandler: writer,
    schema: { tags, security, params: ModuleParamsSchema, body: LessonOrderSchema, response: { 200: ModuleSchema, ...problemResponses } },
  }, async (request, reply) => {
    const { id, moduleId } = request.params
    const doc = await service.reorderLessons(deps, actorOf(request), id, moduleId, request.body.lessonIds, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).send(doc.modules.find((m) => m.id === moduleId))
  })

  app.put(`${base}/:moduleId/lessons/:lessonId`, {
    preHandler: writer,
    schema: { tags, security, params: LessonParamsSchema, body: UpdateLessonSchema, response: { 200: LessonSchema, ...problemResponses } },
  }, async (request, reply) => {
    const { id, moduleId, lessonId } = request.params
    const { doc, lesson } = await service.updateLesson(deps, actorOf(request), id, moduleId, lessonId, request.body, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).send(lesson)
  })

  app.delete(`${base}/:moduleId/lessons/:lessonId`, {
    preHandler: writer,
    schema: { tags, security, params: LessonParamsSchema, response: { 204: Type.Null(), ...problemResponses } },
  }, async (request, reply) => {
    const { id, moduleId, lessonId } = request.params
    const doc = await service.deleteLesson(deps, actorOf(request), id, moduleId, lessonId, { expectedVersion: ifMatchVersion(request) })
    return tagged(reply, doc).code(204).send()
  })
}
