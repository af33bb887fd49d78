import t from 'tap'
import { build, code } from '../helper.js'

t.test('modules and lessons', async (t) => {
  const built = await build(t)
  const { app, as } = built
  const owner = as('instructor')
  const other = as('instructor')
  const created = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Structured', code: code() } })
  const id = created.json().id as string
  const base = `/api/v1/courses/${id}/modules`
  const addModule = async (title: string) => (await app.inject({ method: 'POST', url: base, headers: owner.headers, payload: { title, durationMinutes: 10 } })).json()
  const m1 = await addModule('One')
  const m2 = await addModule('Two')
  const m3 = await addModule('Three')

  await t.test('modules are created in order (201) and the outline lists them', async (t) => {
    const outline = await app.inject({ method: 'GET', url: base, headers: owner.headers })
    t.equal(outline.statusCode, 200)
    t.same(outline.json().modules.map((m: { title: string }) => m.title), ['One', 'Two', 'Three'])
  })

  await t.test('another instructor cannot add a module (404 on a draft they cannot see)', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: base, headers: other.headers, payload: { title: 'x' } })).statusCode, 404)
  })

  await t.test('reordering with a permutation works (200); anything else answers 422', async (t) => {
    const ok = await app.inject({ method: 'PUT', url: `${base}/order`, headers: owner.headers, payload: { moduleIds: [m3.id, m1.id, m2.id] } })
    t.equal(ok.statusCode, 200)
    t.same(ok.json().modules.map((m: { id: string }) => m.id), [m3.id, m1.id, m2.id])
    for (const moduleIds of [[m1.id, m2.id], [m1.id, m1.id, m2.id], [m1.id, m2.id, m3.id, m3.id], [m1.id, m2.id, '01890000-0000-7000-8000-000000000000']]) {
      const bad = await app.inject({ method: 'PUT', url: `${base}/order`, headers: owner.headers, payload: { moduleIds } })
      t.equal(bad.statusCode, 422, JSON.stringify(moduleIds))
    }
    t.equal((await app.inject({ method: 'PUT', url: `${base}/order`, headers: owner.headers, payload: { moduleIds: ['nope'] } })).statusCode, 400)
  })

  await t.test('lesson content with scripts and handlers is sanitised (201)', async (t) => {
    const res = await app.inject({
      method: 'POST', url: `${base}/${m1.id}/lessons`, headers: owner.headers,
      payload: { title: 'XSS', lessonType: 'text', content: '<p onclick="steal()">Hello <script>alert(1)</script><a href="javascript:alert(2)">x</a><img src="https://x/y.png" onerror="boom()"></p>' },
    })
    t.equal(res.statusCode, 201)
    const content = res.json().content as string
    t.notMatch(content, /script|onclick|onerror|javascript:/i)
    t.match(content, /<p>Hello <a>x<\/a><img src="https:\/\/x\/y.png" \/><\/p>/)
    const upd = await app.inject({ method: 'PUT', url: `${base}/${m1.id}/lessons/${res.json().id}`, headers: owner.headers, payload: { content: '<b>ok</b><script>x()</script>' } })
    t.equal(upd.json().content, '<b>ok</b>')
  })

  await t.test('lessons reorder, take prerequisites of the same course, reject others (422)', async (t) => {
    const l1 = (await app.inject({ method: 'POST', url: `${base}/${m2.id}/lessons`, headers: owner.headers, payload: { title: 'A' } })).json()
    const l2 = (await app.inject({ method: 'POST', url: `${base}/${m2.id}/lessons`, headers: owner.headers, payload: { title: 'B', prerequisiteLessonIds: [l1.id] } })).json()
    t.same(l2.prerequisiteLessonIds, [l1.id])
    const badPre = await app.inject({ method: 'POST', url: `${base}/${m2.id}/lessons`, headers: owner.headers, payload: { title: 'C', prerequisiteLessonIds: ['01890000-0000-7000-8000-000000000000'] } })
    t.equal(badPre.statusCode, 422)
    const noAssessment = await app.inject({ method: 'POST', url: `${base}/${m2.id}/lessons`, headers: owner.headers, payload: { title: 'Quiz', lessonType: 'assessment' } })
    t.equal(noAssessment.statusCode, 422)
    const reordered = await app.inject({ method: 'PUT', url: `${base}/${m2.id}/lessons/order`, headers: owner.headers, payload: { lessonIds: [l2.id, l1.id] } })
    t.equal(reordered.statusCode, 200)
    t.same(reordered.json().lessons.map((l: { id: string }) => l.id), [l2.id, l1.id])
    t.equal((await app.inject({ method: 'PUT', url: `${base}/${m2.id}/lessons/order`, headers: owner.headers, payload: { lessonIds: [l2.id] } })).statusCode, 422)
    t.equal((await app.inject({ method: 'DELETE', url: `${base}/${m2.id}/lessons/${l1.id}`, headers: owner.headers })).statusCode, 204)
    const outline = (await app.inject({ method: 'GET', url: base, headers: owner.headers })).json()
    const b = outline.modules.find((m: { id: string }) => m.id === m2.id).lessons[0]
    t.same(b.prerequisiteLessonIds, [], 'a deleted lesson leaves no dangling prerequisite')
  })

  await t.test('module update, stale If-Match (412), unknown module (404), delete (204)', async (t) => {
    const course = (await app.inject({ method: 'GET', url: `/api/v1/courses/${id}`, headers: owner.headers }))
    const etag = course.headers.etag as string
    const ok = await app.inject({ method: 'PUT', url: `${base}/${m3.id}`, headers: { ...owner.headers, 'if-match': etag }, payload: { title: 'Three!' } })
    t.equal(ok.statusCode, 200)
    t.equal(ok.json().title, 'Three!')
    t.equal((await app.inject({ method: 'PUT', url: `${base}/${m3.id}`, headers: { ...owner.headers, 'if-match': etag }, payload: { title: 'late' } })).statusCode, 412)
    t.equal((await app.inject({ method: 'PUT', url: `${base}/01890000-0000-7000-8000-000000000000`, headers: owner.headers, payload: { title: 'x' } })).statusCode, 404)
    t.equal((await app.inject({ method: 'PUT', url: `${base}/${m3.id}`, headers: owner.headers, payload: { title: 'x', extra: 1 } })).statusCode, 400)
    t.equal((await app.inject({ method: 'DELETE', url: `${base}/${m3.id}`, headers: owner.headers })).statusCode, 204)
    const outline = (await app.inject({ method: 'GET', url: base, headers: owner.headers })).json()
    t.notOk(outline.modules.some((m: { id: string }) => m.id === m3.id))
  })
})
