import { uuidv7 } from 'uuidv7'
import { mutateCourse } from '../courses/service.js'
import type { CourseDoc, LessonDoc, ModuleDoc } from '../courses/table.js'
import { errors } from '../errors.js'
import type { Actor, ServiceDeps } from '../service-deps.js'
import type { CreateLesson, CreateModule, UpdateLesson, UpdateModule } from './schemas.js'
import { sanitizeLessonContent } from './sanitize.js'

function moduleOf(doc: CourseDoc, moduleId: string): ModuleDoc {
  const module = doc.modules.find((m) => m.id === moduleId)
  if (!module) throw errors.COURSE_ERR_MODULE_NOT_FOUND()
  return module
}

function lessonOf(module: ModuleDoc, lessonId: string): LessonDoc {
  const lesson = module.lessons.find((l) => l.id === lessonId)
  if (!lesson) throw errors.COURSE_ERR_LESSON_NOT_FOUND()
  return lesson
}

function assertPermutation(current: string[], proposed: string[]) {
  const set = new Set(proposed)
  if (set.size !== proposed.length || proposed.length !== current.length || !current.every((id) => set.has(id))) {
    throw errors.COURSE_ERR_NOT_A_PERMUTATION()
  }
}

function checkLesson(doc: CourseDoc, lesson: LessonDoc) {
  const ids = new Set(doc.modules.flatMap((m) => m.lessons.map((l) => l.id)))
  for (const p of lesson.prerequisiteLessonIds) {
    if (p === lesson.id || !ids.has(p)) throw errors.COURSE_ERR_BAD_PREREQUISITE(`Lesson ${p} is not another lesson of this course`)
  }
  if (lesson.lessonType === 'assessment' && !lesson.assessmentId) throw errors.COURSE_ERR_ASSESSMENT_ID_REQUIRED()
}

type Opts = { expectedVersion?: number | undefined }

export async function addModule(deps: ServiceDeps, actor: Actor, courseId: string, input: CreateModule, opts: Opts) {
  const module: ModuleDoc = { id: uuidv7(), title: input.title, durationMinutes: input.durationMinutes ?? 0, lessons: [] }
  const doc = await mutateCourse(deps, actor, courseId, (d) => ({ ...d, modules: [...d.modules, module] }), opts)
  return { doc, module }
}

export async function updateModule(deps: ServiceDeps, actor: Actor, courseId: string, moduleId: string, input: UpdateModule, opts: Opts) {
  const doc = await mutateCourse(deps, actor, courseId, (d) => {
    const m = moduleOf(d, moduleId)
    Object.assign(m, input)
    return d
  }, opts)
  return { doc, module: moduleOf(doc, moduleId) }
}

export async function deleteModule(deps: ServiceDeps, actor: Actor, courseId: string, moduleId: string, opts: Opts) {
  return mutateCourse(deps, actor, courseId, (d) => {
    const removed = new Set(moduleOf(d, moduleId).lessons.map((l) => l.id))
    const modules = d.modules.filter((m) => m.id !== moduleId)
    for (const m of modules) for (const l of m.lessons) l.prerequisiteLessonIds = l.prerequisiteLessonIds.filter((p) => !removed.has(p))
    return { ...d, modules }
  }, opts)
}

export async function reorderModules(deps: ServiceDeps, actor: Actor, courseId: string, moduleIds: string[], opts: Opts) {
  return mutateCourse(deps, actor, courseId, (d) => {
    assertPermutation(d.modules.map((m) => m.id), moduleIds)
    return { ...d, modules: moduleIds.map((id) => moduleOf(d, id)) }
  }, opts)
}

export async function addLesson(deps: ServiceDeps, actor: Actor, courseId: string, moduleId: string, input: CreateLesson, opts: Opts) {
  const lesson: LessonDoc = {
    id: uuidv7(),
    title: input.title,
    lessonType: input.lessonType ?? 'text',
    content: sanitizeLessonContent(input.content ?? ''),
    videoUrl: input.videoUrl ?? null,
    contentId: input.contentId ?? null,
    assessmentId: input.assessmentId ?? null,
    durationMinutes: input.durationMinutes ?? 0,
    prerequisiteLessonIds: input.prerequisiteLessonIds ?? [],
  }
  const doc = await mutateCourse(deps, actor, courseId, (d) => {
    moduleOf(d, moduleId).lessons.push(lesson)
    checkLesson(d, lesson)
    return d
  }, opts)
  return { doc, lesson }
}

export async function updateLesson(deps: ServiceDeps, actor: Actor, courseId: string, moduleId: string, lessonId: string, input: UpdateLesson, opts: Opts) {
  const change = { ...input, ...(input.content !== undefined ? { content: sanitizeLessonContent(input.content) } : {}) }
  const doc = await mutateCourse(deps, actor, courseId, (d) => {
    const lesson = lessonOf(moduleOf(d, moduleId), lessonId)
    Object.assign(lesson, change)
    checkLesson(d, lesson)
    return d
  }, opts)
  return { doc, lesson: lessonOf(moduleOf(doc, moduleId), lessonId) }
}

export async function deleteLesson(deps: ServiceDeps, actor: Actor, courseId: string, moduleId: string, lessonId: string, opts: Opts) {
  return mutateCourse(deps, actor, courseId, (d) => {
    const module = moduleOf(d, moduleId)
    lessonOf(module, lessonId)
    module.lessons = module.lessons.filter((l) => l.id !== lessonId)
    for (const m of d.modules) for (const l of m.lessons) l.prerequisiteLessonIds = l.prerequisiteLessonIds.filter((p) => p !== lessonId)
    return d
  }, opts)
}

export async function reorderLessons(deps: ServiceDeps, actor: Actor, courseId: string, moduleId: string, lessonIds: string[], opts: Opts) {
  return mutateCourse(deps, actor, courseId, (d) => {
    const module = moduleOf(d, moduleId)
    assertPermutation(module.lessons.map((l) => l.id), lessonIds)
    module.lessons = lessonIds.map((id) => lessonOf(module, id))
    return d
  }, opts)
}
