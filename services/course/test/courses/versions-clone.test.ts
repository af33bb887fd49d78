import t from 'tap'
import { build, code, courseWithLesson, publish } from '../helper.js'

t.test('versions and clone', async (t) => {
  const built = await build(t)
  const { app, as, db } = built
  const owner = as('instructor')
  const admin = as('admin')
  const student = as('student')
  const other = as('instructor')
  const { id, moduleId, lessonId } = await courseWithLesson(built, owner, { title: 'Versioned' })
  await publish(built, id, admin)

  await t.test('each published state is kept as an immutable version (200), newest first', async (t) => {
    await app.inject({ method: 'PUT', url: `/api/v1/courses/${id}`, headers: owner.headers, payload: { title: 'Versioned v2' } })
    const list = await app.inject({ method: 'GET', url: `/api/v1/courses/${id}/versions`, headers: student.headers })
    t.equal(list.statusCode, 200)
    t.same(list.json().items.map((v: { number: number; title: string }) => [v.number, v.title]), [[2, 'Versioned v2'], [1, 'Versioned']])
    const v1 = await app.inject({ method: 'GET', url: `/api/v1/courses/${id}/versions/1`, headers: student.headers })
    t.equal(v1.statusCode, 200)
    t.match(v1.json(), { number: 1, course: { id, title: 'Versioned', status: 'published', modules: [{ id: moduleId, lessons: [{ id: lessonId }] }] } })
    await app.inject({ method: 'PUT', url: `/api/v1/courses/${id}/modules/${moduleId}/lessons/${lessonId}`, headers: owner.headers, payload: { title: 'Changed later' } })
    const again = await app.inject({ method: 'GET', url: `/api/v1/courses/${id}/versions/1` })
    t.same(again.json(), v1.json(), 'later edits leave version 1 untouched')
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${id}/versions/99` })).statusCode, 404)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${id}/versions/0` })).statusCode, 400)
    t.equal(await db.collection('courses').countDocuments({ _id: id as never, pendingVersion: { $ne: null } }), 0, 'no version left pending')
  })

  await t.test('a version copy that a crash left pending is finished by the next read of the versions (200)', async (t) => {
    const crashed = await courseWithLesson(built, owner, { title: 'Crashed copy' })
    await publish(built, crashed.id, admin)
    const versions = db.collection<{ _id: string; number: number; snapshot: unknown; publishedAt: Date; publishedBy: string }>('course_versions')
    const copied = (await versions.findOne({ _id: `${crashed.id}:1` }))!
    await versions.deleteOne({ _id: copied._id })
    const pendingVersion = { number: 1, snapshot: copied.snapshot, publishedAt: copied.publishedAt, publishedBy: copied.publishedBy }
    await db.collection('courses').updateOne({ _id: crashed.id as never }, { $set: { pendingVersion } })

    const list = await app.inject({ method: 'GET', url: `/api/v1/courses/${crashed.id}/versions`, headers: student.headers })
    t.equal(list.statusCode, 200)
    t.same(list.json().items.map((v: { number: number; title: string }) => [v.number, v.title]), [[1, 'Crashed copy']])
    t.ok(await versions.findOne({ _id: copied._id }), 'the version is stored again')
    t.equal((await db.collection('courses').findOne({ _id: crashed.id as never }))?.pendingVersion, null, 'and no longer pending')
  })

  await t.test('a draft has no versions (empty list)', async (t) => {
    const c = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'd', code: code() } })
    t.same((await app.inject({ method: 'GET', url: `/api/v1/courses/${c.json().id}/versions`, headers: owner.headers })).json(), { items: [], nextCursor: null })
  })

  await t.test('clone makes a new draft owned by the caller with fresh ids and remapped prerequisites (201)', async (t) => {
    const l2 = await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/modules/${moduleId}/lessons`, headers: owner.headers, payload: { title: 'Second', prerequisiteLessonIds: [lessonId] } })
    t.equal(l2.statusCode, 201)
    const res = await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/clone`, headers: other.headers, payload: { title: 'My copy' } })
    t.equal(res.statusCode, 201, res.body)
    const copy = res.json()
    t.match(copy, { title: 'My copy', status: 'draft', instructorId: other.id, publishedVersion: 0 })
    t.not(copy.id, id)
    t.not(copy.code, undefined)
    const lessons = copy.modules[0].lessons
    t.equal(lessons.length, 2)
    t.not(lessons[0].id, lessonId)
    t.same(lessons[1].prerequisiteLessonIds, [lessons[0].id])
    const dup = await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/clone`, headers: other.headers, payload: { code: copy.code } })
    t.equal(dup.statusCode, 409)
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/clone`, headers: student.headers })).statusCode, 403)
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/clone`, headers: other.headers, payload: { bogus: 1 } })).statusCode, 400)
  })

  await t.test('a draft of someone else cannot be cloned (404)', async (t) => {
    const c = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'private', code: code() } })
    t.equal((await app.inject({ method: 'POST', url: `/api/v1/courses/${c.json().id}/clone`, headers: other.headers })).statusCode, 404)
  })
})
