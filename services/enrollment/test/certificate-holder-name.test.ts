import t from 'tap'
import { createEvent } from '@lms/events'
import { build, enroll, handle, publishCourse, type Built } from './helper.js'

async function completedCertificate(built: Built, student: { headers: Record<string, string> }) {
  const course = await publishCourse(built, { lessons: 1 })
  const enrollment = (await enroll(built, student.headers, course.courseId)).json()
  await built.app.inject({ method: 'PUT', url: `/api/v1/enrollments/${enrollment.id}/progress`, headers: student.headers, payload: { lessonId: course.lessonIds[0], status: 'completed' } })
  const res = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}/certificate`, headers: student.headers })
  return res.json() as { verificationCode: string; holderName: string | null }
}

const registered = (userId: string, fullName: string) =>
  createEvent('user.registered', { userId, email: `${userId}@example.com`, fullName, role: 'student' }, { source: 'user' })

t.test('a certificate carries the name from user.registered (200) and verification shows it', async (t) => {
  const built = await build(t)
  const student = built.token('student')
  const event = registered(student.id, 'Ada Lovelace')
  t.equal(await handle(built, event), 'applied')
  t.equal(await handle(built, event), 'duplicate', 'a redelivered user.registered is skipped')
  const certificate = await completedCertificate(built, student)
  t.equal(certificate.holderName, 'Ada Lovelace')
  const verify = await built.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificate.verificationCode}` })
  t.equal(verify.statusCode, 200)
  t.match(verify.json(), { valid: true, holderName: 'Ada Lovelace' })
})

t.test('a certificate issued before user.registered arrived gets the name when it does', async (t) => {
  const built = await build(t)
  const student = built.token('student')
  const certificate = await completedCertificate(built, student)
  t.equal(certificate.holderName, null)
  await handle(built, registered(student.id, 'Grace Hopper'))
  const verify = await built.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificate.verificationCode}` })
  t.match(verify.json(), { holderName: 'Grace Hopper' })
})

t.test('user.deleted erases the name: verification answers 200 without personal data, and a late user.registered does not restore it', async (t) => {
  const built = await build(t)
  const student = built.token('student')
  const event = registered(student.id, 'Alan Turing')
  await handle(built, event)
  const certificate = await completedCertificate(built, student)
  t.equal(certificate.holderName, 'Alan Turing')
  await handle(built, createEvent('user.deleted', { userId: student.id }, { source: 'user' }))
  const verify = await built.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificate.verificationCode}` })
  t.equal(verify.statusCode, 200)
  t.match(verify.json(), { valid: true, holderName: null })
  t.notOk(JSON.stringify(verify.json()).includes('Alan'), 'no trace of the name')
  t.same(await built.db.selectFrom('learners').select('fullName').where('userId', '=', student.id).execute(), [{ fullName: null }])
  await handle(built, registered(student.id, 'Alan Turing'))
  t.same(await built.db.selectFrom('learners').select('fullName').where('userId', '=', student.id).execute(), [{ fullName: null }])
})
