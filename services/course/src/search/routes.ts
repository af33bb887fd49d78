import { ProblemSchema, type App } from '@lms/kit'
import type { ServiceDeps } from '../service-deps.js'
import { SearchQuerySchema, SearchResultSchema } from './schemas.js'
import { searchCourses, searchPageKey } from './service.js'

/** `GET /api/v1/courses/search?q=`: public (published courses only, the same page for every caller), every page cached. */
export async function searchRoutes(app: App, deps: ServiceDeps) {
  app.get('/api/v1/courses/search', {
    schema: { tags: ['courses'], querystring: SearchQuerySchema, response: { 200: SearchResultSchema, 400: ProblemSchema } },
  }, async (request, reply) => {
    const load = async () => JSON.stringify(await searchCourses(deps, request.query))
    const json = await deps.cache.page('search', 'public', searchPageKey(request.query), load)
    return reply.type('application/json; charset=utf-8').send(json as never)
  })
}
