import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { uuidv7 } from 'uuidv7'
import { editableCourse, readCourse } from '../courses/service.js'
import { errors } from '../errors.js'
import type { Actor, ServiceDeps } from '../service-deps.js'
import * as repo from './repository.js'
import type { Content } from './schemas.js'
import { matchesType, SNIFF_BYTES } from './sniff.js'

function toContent(file: repo.ContentFile): Content {
  return {
    id: file._id,
    courseId: file.metadata.courseId,
    filename: file.filename,
    contentType: file.metadata.contentType,
    length: file.length,
    uploadedAt: file.uploadDate.toISOString(),
    uploadedBy: file.metadata.uploadedBy,
  }
}

export function allowedTypes(deps: ServiceDeps): Set<string> {
  return new Set(deps.config.CONTENT_ALLOWED_TYPES.split(',').map((t) => t.trim()).filter(Boolean))
}

/** Checks that the caller may upload to the course (before the body is read). */
export async function assertCanUpload(deps: ServiceDeps, actor: Actor, courseId: string): Promise<void> {
  const course = await editableCourse(deps, actor, courseId)
  if (course.status === 'archived') throw errors.COURSE_ERR_ARCHIVED()
}

function sniffer(contentType: string): Transform {
  let head = Buffer.alloc(0)
  let checked = false
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!checked) {
        head = Buffer.concat([head, chunk])
        if (head.length < SNIFF_BYTES) return done()
        checked = true
        if (!matchesType(contentType, head)) return done(errors.COURSE_ERR_CONTENT_TYPE('The file content does not match its declared type'))
        return done(null, head)
      }
      done(null, chunk)
    },
    flush(done) {
      if (checked) return done()
      if (!matchesType(contentType, head)) return done(errors.COURSE_ERR_CONTENT_TYPE('The file content does not match its declared type'))
      done(null, head)
    },
  })
}

/**
 * Streams an upload into GridFS; checks the declared type against the
 * allowed list and the file's signature. On any failure (type, size, client
 * gone) the partial file is aborted, so GridFS keeps nothing.
 */
export async function storeUpload(
  deps: ServiceDeps,
  actor: NonNullable<Actor>,
  courseId: string,
  file: { filename: string; mimetype: string; stream: Readable & { truncated?: boolean } },
): Promise<Content> {
  const contentType = file.mimetype.toLowerCase()
  if (!allowedTypes(deps).has(contentType)) {
    file.stream.resume()
    throw errors.COURSE_ERR_CONTENT_TYPE(`${contentType} is not accepted`)
  }
  const id = uuidv7()
  const upload = repo.openUpload(deps.db, id, file.filename || 'upload', { courseId, uploadedBy: actor.id, contentType })
  try {
    await pipeline(file.stream, sniffer(contentType), upload)
    if (file.stream.truncated) throw errors.COURSE_ERR_CONTENT_TOO_LARGE()
  } catch (err) {
    await upload.abort().catch(() => {})
    await repo.discardUpload(deps.db, id)
    file.stream.resume()
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw errors.COURSE_ERR_CONTENT_TOO_LARGE(`The file exceeds ${deps.config.CONTENT_MAX_BYTES} bytes`)
    throw err
  }
  const stored = await repo.findContent(deps.db, courseId, id)
  return toContent(stored!)
}

export async function listContent(deps: ServiceDeps, actor: Actor, courseId: string): Promise<Content[]> {
  await readCourse(deps, actor, courseId)
  return (await repo.listContent(deps.db, courseId)).map(toContent)
}

export async function contentFile(deps: ServiceDeps, actor: Actor, courseId: string, contentId: string): Promise<repo.ContentFile> {
  await readCourse(deps, actor, courseId)
  const file = await repo.findContent(deps.db, courseId, contentId)
  if (!file) throw errors.COURSE_ERR_CONTENT_NOT_FOUND()
  return file
}

export function openRange(deps: ServiceDeps, file: repo.ContentFile, start: number, end: number) {
  return repo.openDownload(deps.db, file._id, start, end)
}

export async function deleteContent(deps: ServiceDeps, actor: Actor, courseId: string, contentId: string): Promise<void> {
  await editableCourse(deps, actor, courseId)
  if (!(await repo.findContent(deps.db, courseId, contentId))) throw errors.COURSE_ERR_CONTENT_NOT_FOUND()
  await repo.deleteContent(deps.db, contentId)
}

/**
 * Parses a single `bytes=` range against a length: [start, end] inclusive,
 * null when absent or not a single byte range (then the whole file is sent),
 * 'unsatisfiable' for 416.
 */
export function parseRange(header: string | undefined, length: number): [number, number] | null | 'unsatisfiable' {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return null
  let start: number
  let end: number
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, length - suffix)
    end = length - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? length - 1 : Math.min(Number(match[2]), length - 1)
  }
  if (start >= length || start > end) return 'unsatisfiable'
  return [start, end]
}

/** Removes every file of a course (hard delete of a never-published draft). */
export async function purgeCourseContent(deps: ServiceDeps, courseId: string): Promise<void> {
  await repo.deleteCourseContent(deps.db, courseId)
}
