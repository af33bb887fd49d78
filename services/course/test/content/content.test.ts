import t from 'tap'
import { build, courseWithLesson, publish } from '../helper.js'

function multipart(filename: string, contentType: string, data: Buffer) {
  const boundary = `----lms${Date.now()}`
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return { payload: Buffer.concat([head, data, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000, 7)])
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(600_000, 3)])

t.test('content in GridFS', async (t) => {
  const built = await build(t, { CONTENT_MAX_BYTES: String(1024 * 1024) })
  const { app, as, db } = built
  const owner = as('instructor')
  const other = as('instructor')
  const admin = as('admin')
  const { id } = await courseWithLesson(built, owner)
  const url = `/api/v1/courses/${id}/content`
  const counts = async () => [await db.collection('content.files').countDocuments(), await db.collection('content.chunks').countDocuments()]

  let videoId = ''
  await t.test('an instructor uploads a video (201) that streams back whole (200) and by range (206)', async (t) => {
    const body = multipart('intro.mp4', 'video/mp4', MP4)
    const res = await app.inject({ method: 'POST', url, headers: { ...owner.headers, ...body.headers }, payload: body.payload })
    t.equal(res.statusCode, 201, res.body)
    t.match(res.json(), { courseId: id, filename: 'intro.mp4', contentType: 'video/mp4', length: MP4.length, uploadedBy: owner.id })
    videoId = res.json().id
    const whole = await app.inject({ method: 'GET', url: `${url}/${videoId}`, headers: owner.headers })
    t.equal(whole.statusCode, 200)
    t.equal(whole.headers['accept-ranges'], 'bytes')
    t.equal(whole.headers['content-type'], 'video/mp4')
    t.ok(whole.rawPayload.equals(MP4))
    const part = await app.inject({ method: 'GET', url: `${url}/${videoId}`, headers: { ...owner.headers, range: 'bytes=300000-300099' } })
    t.equal(part.statusCode, 206)
    t.equal(part.headers['content-range'], `bytes 300000-300099/${MP4.length}`)
    t.ok(part.rawPayload.equals(MP4.subarray(300000, 300100)))
    const suffix = await app.inject({ method: 'GET', url: `${url}/${videoId}`, headers: { ...owner.headers, range: 'bytes=-10' } })
    t.ok(suffix.rawPayload.equals(MP4.subarray(MP4.length - 10)))
    const beyond = await app.inject({ method: 'GET', url: `${url}/${videoId}`, headers: { ...owner.headers, range: `bytes=${MP4.length}-` } })
    t.equal(beyond.statusCode, 416)
    t.equal(beyond.headers['content-range'], `bytes */${MP4.length}`)
  })

  await t.test('a disallowed type answers 415 and leaves nothing in GridFS', async (t) => {
    const before = await counts()
    const body = multipart('run.sh', 'application/x-sh', Buffer.from('#!/bin/sh\nrm -rf /\n'))
    const res = await app.inject({ method: 'POST', url, headers: { ...owner.headers, ...body.headers }, payload: body.payload })
    t.equal(res.statusCode, 415)
    t.same(await counts(), before)
  })

  await t.test('bytes that do not match the declared type answer 415 and leave nothing', async (t) => {
    const before = await counts()
    const body = multipart('fake.png', 'image/png', Buffer.concat([Buffer.from('<html>'), Buffer.alloc(300_000, 1)]))
    const res = await app.inject({ method: 'POST', url, headers: { ...owner.headers, ...body.headers }, payload: body.payload })
    t.equal(res.statusCode, 415)
    t.same(await counts(), before)
  })

  await t.test('a file over the size limit answers 413 and leaves no chunk behind', async (t) => {
    const before = await counts()
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024 + 10, 9)])
    const body = multipart('huge.png', 'image/png', big)
    const res = await app.inject({ method: 'POST', url, headers: { ...owner.headers, ...body.headers }, payload: body.payload })
    t.equal(res.statusCode, 413)
    t.same(await counts(), before)
  })

  await t.test('a JSON body instead of a file answers 4xx; a non-owner cannot upload (404 on a draft)', async (t) => {
    const res = await app.inject({ method: 'POST', url, headers: owner.headers, payload: { file: 'x' } })
    t.ok(res.statusCode === 400 || res.statusCode === 415, String(res.statusCode))
    const body = multipart('a.png', 'image/png', PNG)
    t.equal((await app.inject({ method: 'POST', url, headers: { ...other.headers, ...body.headers }, payload: body.payload })).statusCode, 404)
  })

  await t.test('files are listed (200); students see them once the course is published; delete answers 204', async (t) => {
    const student = as('student')
    t.equal((await app.inject({ method: 'GET', url, headers: student.headers })).statusCode, 404)
    await publish(built, id, admin)
    const listed = await app.inject({ method: 'GET', url, headers: student.headers })
    t.equal(listed.statusCode, 200)
    t.equal(listed.json().items.length, 1)
    t.equal((await app.inject({ method: 'GET', url: `${url}/${videoId}`, headers: student.headers, })).statusCode, 200)
    t.equal((await app.inject({ method: 'DELETE', url: `${url}/${videoId}`, headers: other.headers })).statusCode, 403)
    t.equal((await app.inject({ method: 'DELETE', url: `${url}/${videoId}`, headers: owner.headers })).statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `${url}/${videoId}`, headers: owner.headers })).statusCode, 404)
    t.same(await counts(), [0, 0])
  })
})
