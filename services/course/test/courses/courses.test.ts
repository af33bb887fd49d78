import t from 'tap'
import { build, code, courseWithLesson, publish } from '../helper.js'

t.test('courses: create, read, update, lifecycle', async (t) => {
  const built = await build(t)
  const { app, as } = built
  const owner = as('instructor')
  const other = as('instructor')
  const admin = as('admin')
  const student = as('student')

  await t.test('an instructor creates a draft course (201) with defaults and an ETag', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Intro to Rust', code: code('RUST'), tags: ['rust', 'systems'] } })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.match(body, { title: 'Intro to Rust', status: 'draft', instructorId: owner.id, version: 1, publishedVersion: 0, difficultyLevel: 'beginner', language: 'en', capacity: null, modules: [] })
    t.equal(res.headers.etag, 'W/"1"')
    t.equal(res.headers.location, `/api/v1/courses/${body.id}`)
  })

  await t.test('a student cannot create a course (403), anonymous gets 401', async (t) => {
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/courses', headers: student.headers, payload: { title: 'x', code: code() } })).statusCode, 403)
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/courses', payload: { title: 'x', code: code() } })).statusCode, 401)
  })

  await t.test('unknown fields and bad values are rejected (400) with their paths', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'x', code: code(), sneaky: true, price: -1 } })
    t.equal(res.statusCode, 400)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    const paths = res.json().errors.map((e: { path: string }) => e.path)
    t.ok(paths.includes('/body/sneaky'))
    t.ok(paths.some((p: string) => p.startsWith('/body/price')))
  })

  await t.test('an invalid id answers 400, an unknown one 404', async (t) => {
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/courses/not-a-uuid' })).statusCode, 400)
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/courses/01890000-0000-7000-8000-000000000000' })).statusCode, 404)
  })

  await t.test('a duplicate course code answers 409, case-insensitively, on create and update', async (t) => {
    const c = code('DUP')
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'a', code: c } })).statusCode, 201)
    const dup = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: other.headers, payload: { title: 'b', code: c.toLowerCase() } })
    t.equal(dup.statusCode, 409)
    t.equal(dup.json().code, 'COURSE_ERR_CODE_TAKEN')
    const second = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'c', code: code('DUP2') } })
    const upd = await app.inject({ method: 'PUT', url: `/api/v1/courses/${second.json().id}`, headers: owner.headers, payload: { code: c } })
    t.equal(upd.statusCode, 409)
  })

  await t.test('drafts are visible to their instructor and admins only (404 for others)', async (t) => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Hidden', code: code() } })
    const url = `/api/v1/courses/${created.json().id}`
    t.equal((await app.inject({ method: 'GET', url, headers: owner.headers })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url, headers: admin.headers })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url, headers: other.headers })).statusCode, 404)
    t.equal((await app.inject({ method: 'GET', url, headers: student.headers })).statusCode, 404)
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 404)
  })

  await t.test('PUT changes named fields, honours If-Match and answers 412 when stale', async (t) => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Old', code: code(), price: 10 } })
    const url = `/api/v1/courses/${created.json().id}`
    const ok = await app.inject({ method: 'PUT', url, headers: { ...owner.headers, 'if-match': 'W/"1"' }, payload: { title: 'New', capacity: 30 } })
    t.equal(ok.statusCode, 200)
    t.match(ok.json(), { title: 'New', price: 10, capacity: 30, version: 2 })
    t.equal(ok.headers.etag, 'W/"2"')
    const stale = await app.inject({ method: 'PUT', url, headers: { ...owner.headers, 'if-match': 'W/"1"' }, payload: { title: 'Lost' } })
    t.equal(stale.statusCode, 412)
    t.equal((await app.inject({ method: 'GET', url, headers: owner.headers })).json().title, 'New')
    t.equal((await app.inject({ method: 'PUT', url, headers: owner.headers, payload: {} })).statusCode, 400)
  })

  await t.test('an instructor cannot edit another instructor\'s published course (403); an admin can (200)', async (t) => {
    const { id } = await courseWithLesson(built, owner)
    await publish(built, id, admin)
    const url = `/api/v1/courses/${id}`
    t.equal((await app.inject({ method: 'PUT', url, headers: other.headers, payload: { title: 'Mine now' } })).statusCode, 403)
    t.equal((await app.inject({ method: 'PUT', url, headers: admin.headers, payload: { title: 'Admin fix' } })).statusCode, 200)
  })

  await t.test('publishing a course without lessons answers 422', async (t) => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Empty', code: code() } })
    const res = await app.inject({ method: 'POST', url: `/api/v1/courses/${created.json().id}/publish`, headers: admin.headers })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'COURSE_ERR_NO_LESSONS')
    const submit = await app.inject({ method: 'POST', url: `/api/v1/courses/${created.json().id}/submit`, headers: owner.headers })
    t.equal(submit.statusCode, 422)
  })

  await t.test('draft → in_review (submit) → published (admin) → archived; the instructor cannot self-publish under review (403)', async (t) => {
    const { id } = await courseWithLesson(built, owner)
    const base = `/api/v1/courses/${id}`
    t.equal((await app.inject({ method: 'POST', url: `${base}/publish`, headers: owner.headers })).statusCode, 403)
    const submitted = await app.inject({ method: 'POST', url: `${base}/submit`, headers: owner.headers })
    t.equal(submitted.statusCode, 200)
    t.equal(submitted.json().status, 'in_review')
    t.equal((await app.inject({ method: 'POST', url: `${base}/submit`, headers: owner.headers })).statusCode, 409)
    const published = await app.inject({ method: 'POST', url: `${base}/publish`, headers: admin.headers })
    t.match(published.json(), { status: 'published', publishedVersion: 1 })
    t.equal((await app.inject({ method: 'GET', url: base, headers: student.headers })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: base })).statusCode, 200)
    const archived = await app.inject({ method: 'POST', url: `${base}/archive`, headers: owner.headers })
    t.equal(archived.json().status, 'archived')
    t.equal((await app.inject({ method: 'GET', url: base, headers: student.headers })).statusCode, 404)
    t.equal((await app.inject({ method: 'PUT', url: base, headers: owner.headers, payload: { title: 'x' } })).statusCode, 409)
    t.equal((await app.inject({ method: 'POST', url: `${base}/archive`, headers: owner.headers })).statusCode, 409)
  })

  await t.test('DELETE removes a never-published draft (204, then 404) and archives a published course', async (t) => {
    const draft = await courseWithLesson(built, owner)
    t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/courses/${draft.id}`, headers: owner.headers })).statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${draft.id}`, headers: owner.headers })).statusCode, 404)
    const live = await courseWithLesson(built, owner)
    await publish(built, live.id, admin)
    t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/courses/${live.id}`, headers: other.headers })).statusCode, 403)
    t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/courses/${live.id}`, headers: owner.headers })).statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${live.id}`, headers: owner.headers })).json().status, 'archived')
  })

  await t.test('with review switched off the instructor publishes directly (200)', async (t) => {
    const open = await build(t, { COURSE_REVIEW_REQUIRED: 'false' })
    const me = open.as('instructor')
    const { id } = await courseWithLesson(open, me)
    const res = await open.app.inject({ method: 'POST', url: `/api/v1/courses/${id}/publish`, headers: me.headers })
    t.equal(res.statusCode, 200)
    t.equal(res.json().status, 'published')
  })
})
