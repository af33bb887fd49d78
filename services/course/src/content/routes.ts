import multipart from '@fastify/multipart'
import { PageSchema, ProblemSchema, problemResponses, type App } from '@lms/kit'
import type { FastifyReply } from 'fastify'
import Type from 'typebox'
import { actorOf } from '../actor.js'
import { errors } from '../errors.js'
import type { ServiceDeps } from '../service-deps.js'
import { CourseParamsSchema } from '../courses/schemas.js'
import { ContentParamsSchema, ContentSchema } from './schemas.js'
import * as service from './service.js'

/** Files of a course in GridFS: multipart upload (streamed), listing, ranged download, delete. */
export async function contentRoutes(app: App, deps: ServiceDeps) {
  const tags = ['content']
  const security = [{ bearerAuth: [] }]
  await app.register(multipart, {
    limits: { fileSize: deps.config.CONTENT_MAX_BYTES, files: 1, fields: 0, parts: 2 },
    throwFileSizeLimit: true,
  })

  app.post('/api/v1/courses/:id/content', {
    preHandler: [app.requireRole('instructor', 'admin'), async (request) => service.assertCanUpload(deps, actorOf(request), (request.params as { id: string }).id)],
    schema: {
      tags, security, params: CourseParamsSchema, consumes: ['multipart/form-data'],
      response: { 201: ContentSchema, ...problemResponses, 413: ProblemSchema, 415: ProblemSchema },
    },
  }, async (request, reply) => {
    if (!request.isMultipart()) throw errors.COURSE_ERR_CONTENT_MISSING()
    const part = await request.file()
    if (!part) throw errors.COURSE_ERR_CONTENT_MISSING()
    const content = await service.storeUpload(deps, actorOf(request)!, request.params.id, {
      filename: part.filename,
      mimetype: part.mimetype,
      stream: part.file,
    })
    return reply.code(201).header('location', `/api/v1/courses/${request.params.id}/content/${content.id}`).send(content)
  })

  app.get('/api/v1/courses/:id/content', {
    preHandler: app.optionalAuth,
    schema: { tags, params: CourseParamsSchema, response: { 200: PageSchema(ContentSchema), 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema } },
  }, async (request) => ({ items: await service.listContent(deps, actorOf(request), request.params.id), nextCursor: null }))

  app.get('/api/v1/courses/:id/content/:contentId', {
    preHandler: app.optionalAuth,
    schema: { tags, params: ContentParamsSchema, response: { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 416: ProblemSchema } },
  }, async (request, typedReply) => {
    const reply = typedReply as unknown as FastifyReply
    const file = await service.contentFile(deps, actorOf(request), request.params.id, request.params.contentId)
    const range = service.parseRange(request.headers.range, file.length)
    reply.header('accept-ranges', 'bytes').header('etag', `"${file._id}"`).type(file.metadata.contentType)
    reply.header('content-disposition', `inline; filename="${encodeURIComponent(file.filename)}"`)
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${file.length}`)
      throw errors.COURSE_ERR_RANGE()
    }
    if (file.length === 0) return reply.header('content-length', 0).send('')
    const [start, end] = range ?? [0, file.length - 1]
    reply.header('content-length', end - start + 1)
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.length}`)
    return reply.send(service.openRange(deps, file, start, end))
  })

  app.delete('/api/v1/courses/:id/content/:contentId', {
    preHandler: app.requireRole('instructor', 'admin'),
    schema: { tags, security, params: ContentParamsSchema, response: { 204: Type.Null(), ...problemResponses } },
  }, async (request, reply) => {
    await service.deleteContent(deps, actorOf(request), request.params.id, request.params.contentId)
    return reply.code(204).send(null)
  })
}
