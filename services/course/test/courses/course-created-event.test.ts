import t from 'tap'
import { build, code, courseWithLesson } from '../helper.js'

interface Pending { envelope: { type: string; version: number; source: string; data: Record<string, unknown> } }

t.test('course.created in the outbox', async (t) => {
  const built = await build(t)
  const { app, as, db } = built
  const owner = as('instructor')
  const pendingOf = async (id: string) =>
    ((await db.collection('courses').findOne({ _id: id as never }))?.pendingEvents ?? []) as Pending[]

  await t.test('creating a draft writes course.created with its instructor into the course document (201)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Draft course', code: code() } })
    t.equal(res.statusCode, 201, res.body)
    const id = res.json().id as string
    const events = (await pendingOf(id)).map((p) => p.envelope)
    t.match(events, [{ type: 'course.created', version: 1, source: 'course', data: { courseId: id, instructorId: owner.id, title: 'Draft course', status: 'draft' } }])
  })

  await t.test('cloning a draft writes course.created for the copy (201)', async (t) => {
    const { id } = await courseWithLesson(built, owner, { title: 'Source' })
    const res = await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/clone`, headers: owner.headers, payload: { title: 'The copy' } })
    t.equal(res.statusCode, 201, res.body)
    const copyId = res.json().id as string
    const created = (await pendingOf(copyId)).map((p) => p.envelope).filter((e) => e.type === 'course.created')
    t.match(created, [{ data: { courseId: copyId, instructorId: owner.id, title: 'The copy', status: 'draft' } }])
    t.equal(created.length, 1, 'exactly one course.created for the copy')
  })

  await t.test('a rejected create (duplicate code, 409) leaves no event behind', async (t) => {
    const taken = code()
    const first = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'A', code: taken } })
    t.equal(first.statusCode, 201)
    const dup = await app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'B', code: taken } })
    t.equal(dup.statusCode, 409)
    const docs = await db.collection('courses').find({ 'pendingEvents.envelope.data.title': 'B' }).toArray()
    t.equal(docs.length, 0)
  })
})
