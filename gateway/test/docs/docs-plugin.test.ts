import t from 'tap'
import { build, DEAD_URL, startStandIn } from '../helper.js'

function specOf(service: string, path: string) {
  return {
    openapi: '3.1.0',
    info: { title: `${service} service`, version: '1.0.0' },
    paths: { [path]: { get: { operationId: `${service}List`, responses: { 200: { description: 'ok' } } } } },
    components: { schemas: { [`${service}Thing`]: { type: 'object' } } },
  }
}

t.test('/docs/openapi.json merges the specs of every service that answers and names the ones that do not (200)', async (t) => {
  let userFetches = 0
  const user = await startStandIn(t, 'user', (app) => {
    app.get('/openapi.json', async () => {
      userFetches += 1
      return specOf('user', '/api/v1/users/profile')
    })
  })
  const course = await startStandIn(t, 'course', (app) => { app.get('/openapi.json', async () => specOf('course', '/api/v1/courses')) })
  const h = await build(t, { upstreams: { user: user.url, course: course.url, enrollment: DEAD_URL }, docsCacheMs: 60_000 })
  const res = await h.gateway.inject({ url: '/docs/openapi.json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.info.title, 'LMS API')
  t.match(doc.paths['/api/v1/users/profile'].get, { operationId: 'userList', tags: ['user'] })
  t.match(doc.paths['/api/v1/courses'].get, { operationId: 'courseList', tags: ['course'] })
  t.ok(doc.components.schemas.userThing && doc.components.schemas.courseThing)
  t.ok(doc.components.securitySchemes.bearerAuth)
  t.match(doc.info.description, /enrollment/)
  t.notOk(Object.keys(doc.paths).some((path) => path.includes('*')), 'the proxy routes themselves are not documented')

  await h.gateway.inject({ url: '/docs/openapi.json' })
  t.equal(userFetches, 1, 'the merged document is cached')
})

t.test('/docs serves Swagger UI over the merged document (200)', async (t) => {
  const course = await startStandIn(t, 'course', (app) => { app.get('/openapi.json', async () => specOf('course', '/api/v1/courses')) })
  const h = await build(t, { upstreams: { course: course.url } })
  const page = await h.gateway.inject({ url: '/docs/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, /swagger/i)
  const json = await h.gateway.inject({ url: '/docs/json' })
  t.equal(json.statusCode, 200)
  t.ok(json.json().paths['/api/v1/courses'])
})
