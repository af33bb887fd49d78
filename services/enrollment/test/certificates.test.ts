import t from 'tap'
import { build, enroll, publishCourse } from './helper.js'

t.test('the certificate of a completed enrollment answers JSON and PDF, and verifies publicly by code', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { lessons: 1 })
  const student = built.token('student')
  const enrollment = (await enroll(built, student.headers, course.courseId)).json()
  const url = `/api/v1/enrollments/${enrollment.id}/certificate`
  t.equal((await built.app.inject({ method: 'GET', url, headers: student.headers })).statusCode, 404, 'no certificate before completion')
  await built.app.inject({ method: 'PUT', url: `/api/v1/enrollments/${enrollment.id}/progress`, headers: student.headers, payload: { lessonId: course.lessonIds[0], status: 'completed' } })

  const json = await built.app.inject({ method: 'GET', url, headers: student.headers })
  t.equal(json.statusCode, 200, json.body)
  const certificate = json.json()
  t.match(certificate, { enrollmentId: enrollment.id, userId: student.id, courseId: course.courseId, courseTitle: course.title, holderName: null })
  t.match(certificate.verificationCode, /^[A-Za-z0-9_-]{22}$/)

  const pdf = await built.app.inject({ method: 'GET', url, headers: { ...student.headers, accept: 'application/pdf' } })
  t.equal(pdf.statusCode, 200)
  t.match(pdf.headers['content-type'], /application\/pdf/)
  t.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-')

  t.equal((await built.app.inject({ method: 'GET', url, headers: built.token('student').headers })).statusCode, 404, 'a stranger sees nothing')
  t.equal((await built.app.inject({ method: 'GET', url, headers: built.token('instructor', course.instructorId).headers })).statusCode, 200)

  const verify = await built.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificate.verificationCode}` })
  t.equal(verify.statusCode, 200)
  t.match(verify.json(), { valid: true, courseTitle: course.title, completedAt: certificate.completedAt })
  t.notOk('userId' in verify.json())
})

t.test('an unknown verification code answers 404, a malformed one 400', async (t) => {
  const built = await build(t)
  t.equal((await built.app.inject({ method: 'GET', url: '/api/v1/certificates/AAAAAAAAAAAAAAAAAAAAAA' })).statusCode, 404)
  t.equal((await built.app.inject({ method: 'GET', url: '/api/v1/certificates/short' })).statusCode, 400)
})

t.test('the OpenAPI document lists the enrollment and certificate routes (200)', async (t) => {
  const built = await build(t)
  const res = await built.app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const paths = Object.keys(res.json().paths)
  for (const p of ['/api/v1/enrollments', '/api/v1/enrollments/{id}/progress', '/api/v1/enrollments/{id}/certificate', '/api/v1/certificates/{code}']) t.ok(paths.includes(p), p)
})
