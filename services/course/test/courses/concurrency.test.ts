import t from 'tap'
import { build, courseWithLesson } from '../helper.js'

t.test('version-guarded writes under concurrency', async (t) => {
  const built = await build(t)
  const { app, as } = built
  const owner = as('instructor')

  await t.test('10 concurrent PUTs with the same If-Match: exactly one 200, the rest 412', async (t) => {
    const { id } = await courseWithLesson(built, owner)
    const etag = (await app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers })).headers.etag as string
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => app.inject({
      method: 'PUT', url: `/api/v1/courses/${id}`, headers: { ...owner.headers, 'if-match': etag }, payload: { title: `Title ${i}` },
    })))
    const codes = results.map((r) => r.statusCode).sort()
    t.same(codes, [200, ...Array(9).fill(412)])
    const winner = results.find((r) => r.statusCode === 200)!.json()
    const now = (await app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers })).json()
    t.equal(now.title, winner.title, 'the stored title is the winner\'s')
    t.equal(now.version, winner.version)
  })

  await t.test('10 concurrent module creations without If-Match all land (201 each, none lost)', async (t) => {
    const { id } = await courseWithLesson(built, owner)
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => app.inject({
      method: 'POST', url: `/api/v1/courses/${id}/modules`, headers: owner.headers, payload: { title: `M${i}` },
    })))
    t.same(results.map((r) => r.statusCode), Array(10).fill(201))
    const outline = (await app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers })).json()
    t.equal(outline.modules.length, 11)
    t.equal(outline.version, 2 + 10 + 1, 'every write counted once')
  })
})
