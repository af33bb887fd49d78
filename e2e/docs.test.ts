import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { build as buildUser } from '../services/user/test/helper.js'
import { build as buildCourse } from '../services/course/test/helper.js'
import { build as buildEnrollment } from '../services/enrollment/test/helper.js'
import { build as buildAssessment } from '../services/assessment/test/helper.js'
import { build as buildNotification } from '../services/notification/test/helper.js'

const docs = join(import.meta.dirname, '..', 'docs')

/** `/api/v1/courses/{id}` and `/api/v1/courses/{courseId}` are the same route. */
function normalise(path: string): string {
  return path.replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '')
}

/** Every `/api/v1/...` path a markdown page names (query strings and punctuation cut off). */
function pathsIn(markdown: string): string[] {
  const found = new Set<string>()
  for (const match of markdown.matchAll(/\/api\/v1\/[A-Za-z0-9_\-./{}]*/g)) {
    const path = match[0].replace(/[.]+$/, '')
    if (path !== '/api/v1/' && !path.includes('...')) found.add(normalise(path))
  }
  return [...found].sort()
}

t.test('the paths docs/api.md names are routes the services declare in their OpenAPI documents', async (t) => {
  const apps = [
    (await buildUser(t)).app,
    (await buildCourse(t)).app,
    (await buildEnrollment(t)).app,
    (await buildAssessment(t)).app,
    (await buildNotification(t)).app,
  ]
  const declared = new Set<string>()
  for (const app of apps) {
    await app.ready()
    const spec = app.swagger() as { paths?: Record<string, unknown> }
    for (const path of Object.keys(spec.paths ?? {})) declared.add(normalise(path))
  }
  t.ok(declared.size > 30, `the services declare their routes (${declared.size} paths)`)

  // WebSocket routes are not in the OpenAPI documents; a path without parameters is also found by the router.
  const routed = (path: string) => !path.includes('{') &&
    apps.some((app) => ['GET', 'POST', 'PUT', 'DELETE'].some((method) => app.hasRoute({ method: method as 'GET', url: path })))

  const named = pathsIn(readFileSync(join(docs, 'api.md'), 'utf8'))
  t.ok(named.length >= 10, `api.md names routes (${named.length})`)
  t.same(named.filter((path) => !declared.has(path) && !routed(path)), [], 'every path in api.md is declared by a service')
})

t.test('a path no service declares is reported by the parser (so the check above can fail)', async (t) => {
  t.same(pathsIn('Call `GET /api/v1/courses/{id}/nonexistent?x=1` then /api/v1/courses.'), ['/api/v1/courses', '/api/v1/courses/{}/nonexistent'])
})

t.test('the docs index links every page in docs/', async (t) => {
  const index = readFileSync(join(docs, 'README.md'), 'utf8')
  for (const page of ['architecture.md', 'api.md', 'events.md', 'operations.md']) {
    t.match(index, `(${page})`, `docs/README.md links ${page}`)
  }
})
