import { PageSchema, ProblemSchema, problemResponses, type App } from '@lms/kit'
import Type from 'typebox'
import { countCoursesUsingCategory } from '../courses/service.js'
import type { ServiceDeps } from '../service-deps.js'
import { CategoryListQuerySchema, CategoryParamsSchema, CategorySchema, CreateCategorySchema, UpdateCategorySchema } from './schemas.js'
import * as service from './service.js'

/** `/api/v1/categories`: anyone reads, admins write. */
export async function categoryRoutes(app: App, deps: ServiceDeps) {
  const tags = ['categories']
  app.get('/api/v1/categories', {
    schema: { tags, querystring: CategoryListQuerySchema, response: { 200: PageSchema(CategorySchema), 400: ProblemSchema } },
  }, async (request) => service.listCategories(deps, request.query.limit, request.query.cursor))

  app.get('/api/v1/categories/:id', {
    schema: { tags, params: CategoryParamsSchema, response: { 200: CategorySchema, 400: ProblemSchema, 404: ProblemSchema } },
  }, async (request) => service.getCategory(deps, request.params.id))

  // Instructors may add a category for their course (the learner journey); renaming and deleting stay with admins.
  app.post('/api/v1/categories', {
    preHandler: app.requireRole('instructor', 'admin'),
    schema: { tags, security: [{ bearerAuth: [] }], body: CreateCategorySchema, response: { 201: CategorySchema, ...problemResponses } },
  }, async (request, reply) => reply.code(201).send(await service.createCategory(deps, request.body)))

  app.put('/api/v1/categories/:id', {
    preHandler: app.requireRole('admin'),
    schema: { tags, security: [{ bearerAuth: [] }], params: CategoryParamsSchema, body: UpdateCategorySchema, response: { 200: CategorySchema, ...problemResponses } },
  }, async (request) => service.updateCategory(deps, request.params.id, request.body))

  app.delete('/api/v1/categories/:id', {
    preHandler: app.requireRole('admin'),
    schema: { tags, security: [{ bearerAuth: [] }], params: CategoryParamsSchema, response: { 204: Type.Null(), ...problemResponses } },
  }, async (request, reply) => {
    await service.deleteCategory(deps, request.params.id, (id) => countCoursesUsingCategory(deps, id))
    return reply.code(204).send(null)
  })
}
