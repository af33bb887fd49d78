import { openNotificationStream, type NotificationStreamOptions } from './notification-stream.js'
import { paginate } from './pagination.js'
import { Transport, type ClientOptions, type RequestOptions, type Tokens, type WriteOptions } from './transport.js'
import type * as T from './types.js'

const enc = encodeURIComponent

/**
 * A typed client of the LMS gateway: one method per public endpoint, grouped
 * by resource. Every method takes `{ signal }` last; writes to versioned
 * resources take `{ ifMatch: version }`. Non-2xx answers throw LmsProblemError.
 *
 * @example
 * const client = createLmsClient({ baseUrl: 'http://127.0.0.1:8080' })
 * await client.auth.login({ email, password })
 * for await (const course of client.courses.iterate({ difficultyLevel: 'beginner' })) console.log(course.title)
 */
export function createLmsClient(options: ClientOptions) {
  const http = new Transport(options)
  const r = <R>(call: Parameters<Transport['request']>[0]) => http.request<R>(call)
  const page = (q: object | undefined) => q as Record<string, string | number | boolean | undefined>

  async function keep(grant: T.TokenGrant) {
    await http.storage.set({ accessToken: grant.accessToken, refreshToken: grant.refreshToken })
    return grant
  }

  const auth = {
    /** Creates a student account and keeps its tokens. */
    register: async (body: T.RegisterInput, o: RequestOptions = {}) => keep(await r<T.TokenGrant>({ method: 'POST', path: '/auth/register', body, auth: false, signal: o.signal })),
    /** Logs in and keeps the tokens. */
    login: async (body: T.LoginInput, o: RequestOptions = {}) => keep(await r<T.TokenGrant>({ method: 'POST', path: '/auth/login', body, auth: false, signal: o.signal })),
    /** Trades the stored refresh token for new tokens now (the client also does this by itself on 401). */
    refresh: async (o: RequestOptions = {}) => {
      const tokens = await http.storage.get()
      if (!tokens) throw new Error('not signed in')
      return keep(await r<T.TokenGrant>({ method: 'POST', path: '/auth/refresh', body: { refreshToken: tokens.refreshToken }, auth: false, signal: o.signal }))
    },
    /** Ends the session everywhere and forgets the tokens. */
    logout: async (o: RequestOptions = {}) => {
      const tokens = await http.storage.get()
      try {
        await r<void>({ method: 'POST', path: '/auth/logout', body: tokens ? { refreshToken: tokens.refreshToken } : {}, signal: o.signal })
      } finally {
        await http.storage.set(null)
      }
    },
    /** The stored tokens (null when signed out). */
    tokens: async (): Promise<Tokens | null> => http.storage.get(),
    /** Replaces the stored tokens (e.g. restored from elsewhere). */
    setTokens: async (tokens: Tokens | null) => http.storage.set(tokens),
  }

  const users = {
    profile: (o: RequestOptions = {}) => r<T.User>({ path: '/users/profile', signal: o.signal }),
    updateProfile: (body: T.UpdateProfileInput, o: WriteOptions = {}) => r<T.User>({ method: 'PUT', path: '/users/profile', body, signal: o.signal, ifMatch: o.ifMatch }),
    /** 204; every other session of the user ends. */
    changePassword: (body: T.ChangePasswordInput, o: RequestOptions = {}) => r<void>({ method: 'PUT', path: '/users/profile/password', body, signal: o.signal }),
    /** Admin: search by email or name, filter by role. */
    list: (q: T.UserListQuery = {}, o: RequestOptions = {}) => r<T.Page<T.User>>({ path: '/users', query: page(q), signal: o.signal }),
    iterate: (q: Omit<T.UserListQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => users.list({ ...q, ...(cursor ? { cursor } : {}) }, o)),
    get: (id: string, o: RequestOptions = {}) => r<T.User>({ path: `/users/${enc(id)}`, signal: o.signal }),
    /** Admin: the user's sessions end. */
    setRole: (id: string, role: T.Role, o: RequestOptions = {}) => r<T.User>({ method: 'PUT', path: `/users/${enc(id)}/role`, body: { role }, signal: o.signal }),
    /** Self or admin: erases personal data and ends the sessions. */
    delete: (id: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/users/${enc(id)}`, signal: o.signal }),
  }

  const categories = {
    list: (q: T.PageQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Category>>({ path: '/categories', query: page(q), auth: false, signal: o.signal }),
    iterate: (q: Omit<T.PageQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => categories.list({ ...q, ...(cursor ? { cursor } : {}) }, o)),
    get: (id: string, o: RequestOptions = {}) => r<T.Category>({ path: `/categories/${enc(id)}`, auth: false, signal: o.signal }),
    create: (body: T.CreateCategoryInput, o: RequestOptions = {}) => r<T.Category>({ method: 'POST', path: '/categories', body, signal: o.signal }),
    update: (id: string, body: T.UpdateCategoryInput, o: RequestOptions = {}) => r<T.Category>({ method: 'PUT', path: `/categories/${enc(id)}`, body, signal: o.signal }),
    delete: (id: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/categories/${enc(id)}`, signal: o.signal }),
  }

  const modulesPath = (courseId: string) => `/courses/${enc(courseId)}/modules`
  const courses = {
    /** Published courses for everyone; staff also see their drafts (`status`). */
    list: (q: T.CourseListQuery = {}, o: RequestOptions = {}) => r<T.Page<T.CourseSummary>>({ path: '/courses', query: page(q), signal: o.signal }),
    iterate: (q: Omit<T.CourseListQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => courses.list({ ...q, ...(cursor ? { cursor } : {}) }, o)),
    /** Full-text search over published courses, best match first. */
    search: (q: T.CourseSearchQuery, o: RequestOptions = {}) => r<T.CourseSearchResult>({ path: '/courses/search', query: page(q), auth: false, signal: o.signal }),
    iterateSearch: (q: Omit<T.CourseSearchQuery, 'cursor'>, o: RequestOptions = {}) => paginate((cursor) => courses.search({ ...q, ...(cursor ? { cursor } : {}) }, o)),
    get: (id: string, o: RequestOptions = {}) => r<T.Course>({ path: `/courses/${enc(id)}`, signal: o.signal }),
    create: (body: T.CreateCourseInput, o: RequestOptions = {}) => r<T.Course>({ method: 'POST', path: '/courses', body, signal: o.signal }),
    update: (id: string, body: T.UpdateCourseInput, o: WriteOptions = {}) => r<T.Course>({ method: 'PUT', path: `/courses/${enc(id)}`, body, signal: o.signal, ifMatch: o.ifMatch }),
    delete: (id: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/courses/${enc(id)}`, signal: o.signal }),
    /** draft → in_review */
    submit: (id: string, o: RequestOptions = {}) => r<T.Course>({ method: 'POST', path: `/courses/${enc(id)}/submit`, signal: o.signal }),
    /** → published (admin when review is on) */
    publish: (id: string, o: RequestOptions = {}) => r<T.Course>({ method: 'POST', path: `/courses/${enc(id)}/publish`, signal: o.signal }),
    archive: (id: string, o: RequestOptions = {}) => r<T.Course>({ method: 'POST', path: `/courses/${enc(id)}/archive`, signal: o.signal }),
    clone: (id: string, body: T.CloneCourseInput = {}, o: RequestOptions = {}) => r<T.Course>({ method: 'POST', path: `/courses/${enc(id)}/clone`, body, signal: o.signal }),
    versions: (id: string, o: RequestOptions = {}) => r<T.Page<T.CourseVersionSummary>>({ path: `/courses/${enc(id)}/versions`, signal: o.signal }),
    version: (id: string, n: number, o: RequestOptions = {}) => r<T.CourseVersion>({ path: `/courses/${enc(id)}/versions/${n}`, signal: o.signal }),
    /** Modules and lessons; writes take the course `version` as `ifMatch`. */
    modules: {
      outline: (courseId: string, o: RequestOptions = {}) => r<T.Outline>({ path: modulesPath(courseId), signal: o.signal }),
      create: (courseId: string, body: T.CreateModuleInput, o: WriteOptions = {}) => r<T.Module>({ method: 'POST', path: modulesPath(courseId), body, signal: o.signal, ifMatch: o.ifMatch }),
      reorder: (courseId: string, moduleIds: string[], o: WriteOptions = {}) => r<T.Outline>({ method: 'PUT', path: `${modulesPath(courseId)}/order`, body: { moduleIds }, signal: o.signal, ifMatch: o.ifMatch }),
      update: (courseId: string, moduleId: string, body: T.UpdateModuleInput, o: WriteOptions = {}) => r<T.Module>({ method: 'PUT', path: `${modulesPath(courseId)}/${enc(moduleId)}`, body, signal: o.signal, ifMatch: o.ifMatch }),
      delete: (courseId: string, moduleId: string, o: WriteOptions = {}) => r<void>({ method: 'DELETE', path: `${modulesPath(courseId)}/${enc(moduleId)}`, signal: o.signal, ifMatch: o.ifMatch }),
    },
    lessons: {
      create: (courseId: string, moduleId: string, body: T.CreateLessonInput, o: WriteOptions = {}) => r<T.Lesson>({ method: 'POST', path: `${modulesPath(courseId)}/${enc(moduleId)}/lessons`, body, signal: o.signal, ifMatch: o.ifMatch }),
      reorder: (courseId: string, moduleId: string, lessonIds: string[], o: WriteOptions = {}) => r<T.Module>({ method: 'PUT', path: `${modulesPath(courseId)}/${enc(moduleId)}/lessons/order`, body: { lessonIds }, signal: o.signal, ifMatch: o.ifMatch }),
      update: (courseId: string, moduleId: string, lessonId: string, body: T.UpdateLessonInput, o: WriteOptions = {}) => r<T.Lesson>({ method: 'PUT', path: `${modulesPath(courseId)}/${enc(moduleId)}/lessons/${enc(lessonId)}`, body, signal: o.signal, ifMatch: o.ifMatch }),
      delete: (courseId: string, moduleId: string, lessonId: string, o: WriteOptions = {}) => r<void>({ method: 'DELETE', path: `${modulesPath(courseId)}/${enc(moduleId)}/lessons/${enc(lessonId)}`, signal: o.signal, ifMatch: o.ifMatch }),
    },
    /** Files of a course (multipart upload, ranged download). */
    content: {
      list: (courseId: string, o: RequestOptions = {}) => r<T.Page<T.Content>>({ path: `/courses/${enc(courseId)}/content`, signal: o.signal }),
      /** Uploads one file (a Blob or File) as multipart/form-data. */
      upload: async (courseId: string, file: Blob, filename: string, o: RequestOptions = {}) => {
        const form = new FormData()
        form.append('file', file, filename)
        const res = await http.send({ method: 'POST', path: `/courses/${enc(courseId)}/content`, body: form, signal: o.signal })
        return (await res.json()) as T.Content
      },
      /** The file's bytes (or `range` of them, inclusive). */
      download: async (courseId: string, contentId: string, o: RequestOptions & { range?: [number, number] } = {}) => {
        const res = await http.send({ path: `/courses/${enc(courseId)}/content/${enc(contentId)}`, headers: { accept: '*/*', ...(o.range ? { range: `bytes=${o.range[0]}-${o.range[1]}` } : {}) }, signal: o.signal })
        return new Uint8Array(await res.arrayBuffer())
      },
      delete: (courseId: string, contentId: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/courses/${enc(courseId)}/content/${enc(contentId)}`, signal: o.signal }),
    },
  }

  const enrollments = {
    /** Enrolls the caller (an admin may pass `userId`). */
    create: (body: T.CreateEnrollmentInput, o: RequestOptions = {}) => r<T.Enrollment>({ method: 'POST', path: '/enrollments', body, signal: o.signal }),
    mine: (q: T.PageQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Enrollment>>({ path: '/enrollments/me', query: page(q), signal: o.signal }),
    iterateMine: (q: Omit<T.PageQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => enrollments.mine({ ...q, ...(cursor ? { cursor } : {}) }, o)),
    ofUser: (userId: string, q: T.PageQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Enrollment>>({ path: `/enrollments/user/${enc(userId)}`, query: page(q), signal: o.signal }),
    /** The roster of a course (its instructor or admin). */
    ofCourse: (courseId: string, q: T.PageQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Enrollment>>({ path: `/enrollments/course/${enc(courseId)}`, query: page(q), signal: o.signal }),
    iterateCourse: (courseId: string, q: Omit<T.PageQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => enrollments.ofCourse(courseId, { ...q, ...(cursor ? { cursor } : {}) }, o)),
    stats: (courseId: string, o: RequestOptions = {}) => r<T.CourseEnrollmentStats>({ path: `/enrollments/course/${enc(courseId)}/stats`, signal: o.signal }),
    get: (id: string, o: RequestOptions = {}) => r<T.EnrollmentDetail>({ path: `/enrollments/${enc(id)}`, signal: o.signal }),
    /** 422 (`missingLessonIds`) when prerequisites are not completed. */
    progress: (id: string, body: T.UpdateProgressInput, o: RequestOptions = {}) => r<T.EnrollmentDetail>({ method: 'PUT', path: `/enrollments/${enc(id)}/progress`, body, signal: o.signal }),
    drop: (id: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/enrollments/${enc(id)}`, signal: o.signal }),
  }

  const certificates = {
    /** The certificate of a completed enrollment. */
    get: (enrollmentId: string, o: RequestOptions = {}) => r<T.Certificate>({ path: `/enrollments/${enc(enrollmentId)}/certificate`, signal: o.signal }),
    /** The same certificate as PDF bytes. */
    pdf: (enrollmentId: string, o: RequestOptions = {}) => r<Uint8Array>({ path: `/enrollments/${enc(enrollmentId)}/certificate`, as: 'bytes', signal: o.signal }),
    /** Public verification by code (no sign-in needed). */
    verify: (code: string, o: RequestOptions = {}) => r<T.CertificateVerification>({ path: `/certificates/${enc(code)}`, auth: false, signal: o.signal }),
  }

  const assessments = {
    create: (body: T.CreateAssessmentInput, o: RequestOptions = {}) => r<T.Assessment>({ method: 'POST', path: '/assessments', body, signal: o.signal }),
    ofCourse: (courseId: string, q: T.PageQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Assessment>>({ path: `/assessments/course/${enc(courseId)}`, query: page(q), signal: o.signal }),
    iterateCourse: (courseId: string, q: Omit<T.PageQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => assessments.ofCourse(courseId, { ...q, ...(cursor ? { cursor } : {}) }, o)),
    /** Students get no answers (`isCorrect`, `acceptedAnswers` are absent). */
    get: (id: string, o: RequestOptions = {}) => r<T.Assessment>({ path: `/assessments/${enc(id)}`, signal: o.signal }),
    update: (id: string, body: T.UpdateAssessmentInput, o: WriteOptions = {}) => r<T.Assessment>({ method: 'PUT', path: `/assessments/${enc(id)}`, body, signal: o.signal, ifMatch: o.ifMatch }),
    delete: (id: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/assessments/${enc(id)}`, signal: o.signal }),
    startAttempt: (id: string, o: RequestOptions = {}) => r<T.StartedAttempt>({ method: 'POST', path: `/assessments/${enc(id)}/attempts`, signal: o.signal }),
    submit: (id: string, body: T.SubmitInput, o: RequestOptions = {}) => r<T.AttemptOutcome>({ method: 'POST', path: `/assessments/${enc(id)}/submit`, body, signal: o.signal }),
    /** Staff: grade or regrade an attempt by hand. */
    grade: (id: string, body: T.GradeInput, o: RequestOptions = {}) => r<T.AttemptOutcome>({ method: 'PUT', path: `/assessments/${enc(id)}/grade`, body, signal: o.signal }),
    /** A student's own attempts; staff get every attempt plus item statistics. */
    results: (id: string, o: RequestOptions = {}) => r<T.AssessmentResults>({ path: `/assessments/${enc(id)}/results`, signal: o.signal }),
    /** Question banks (staff). */
    banks: {
      create: (body: T.CreateQuestionBankInput, o: RequestOptions = {}) => r<T.QuestionBank>({ method: 'POST', path: '/assessments/banks', body, signal: o.signal }),
      ofCourse: (courseId: string, q: T.PageQuery = {}, o: RequestOptions = {}) => r<T.Page<T.QuestionBank>>({ path: `/assessments/banks/course/${enc(courseId)}`, query: page(q), signal: o.signal }),
      get: (bankId: string, o: RequestOptions = {}) => r<T.QuestionBank>({ path: `/assessments/banks/${enc(bankId)}`, signal: o.signal }),
      update: (bankId: string, body: T.UpdateQuestionBankInput, o: WriteOptions = {}) => r<T.QuestionBank>({ method: 'PUT', path: `/assessments/banks/${enc(bankId)}`, body, signal: o.signal, ifMatch: o.ifMatch }),
      delete: (bankId: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/assessments/banks/${enc(bankId)}`, signal: o.signal }),
    },
  }

  const notifications = {
    mine: (q: T.NotificationListQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Notification>>({ path: '/notifications/me', query: page(q), signal: o.signal }),
    iterateMine: (q: Omit<T.NotificationListQuery, 'cursor'> = {}, o: RequestOptions = {}) => paginate((cursor) => notifications.mine({ ...q, ...(cursor ? { cursor } : {}) }, o)),
    ofUser: (userId: string, q: T.NotificationListQuery = {}, o: RequestOptions = {}) => r<T.Page<T.Notification>>({ path: `/notifications/user/${enc(userId)}`, query: page(q), signal: o.signal }),
    unreadCount: async (o: RequestOptions = {}) => (await r<{ count: number }>({ path: '/notifications/me/unread-count', signal: o.signal })).count,
    markAllRead: async (o: RequestOptions = {}) => (await r<{ updated: number }>({ method: 'PUT', path: '/notifications/read-all', signal: o.signal })).updated,
    markRead: (id: string, o: RequestOptions = {}) => r<T.Notification>({ method: 'PUT', path: `/notifications/${enc(id)}/read`, signal: o.signal }),
    delete: (id: string, o: RequestOptions = {}) => r<void>({ method: 'DELETE', path: `/notifications/${enc(id)}`, signal: o.signal }),
    deliveries: async (id: string, o: RequestOptions = {}) => (await r<{ items: T.Delivery[] }>({ path: `/notifications/${enc(id)}/deliveries`, signal: o.signal })).items,
    /** Instructor: students of an own course; admin: a course, everyone or a role. */
    send: (body: T.CreateNotificationInput, o: RequestOptions = {}) => r<T.BulkResult>({ method: 'POST', path: '/notifications', body, signal: o.signal }),
    preferences: async (o: RequestOptions = {}) => (await r<{ items: T.Preference[] }>({ path: '/notifications/preferences', signal: o.signal })).items,
    updatePreferences: async (body: T.UpdatePreferencesInput, o: RequestOptions = {}) => (await r<{ items: T.Preference[] }>({ method: 'PUT', path: '/notifications/preferences', body, signal: o.signal })).items,
    /**
     * Live notifications (SSE over fetch) with reconnect and Last-Event-ID.
     *
     * @example
     * const stream = client.notifications.stream({ onNotification: (n) => toast(n.title), signal })
     * await stream.opened
     */
    stream: (opts: NotificationStreamOptions) => openNotificationStream(http, opts),
  }

  return { auth, users, categories, courses, enrollments, certificates, assessments, notifications }
}

export type LmsClient = ReturnType<typeof createLmsClient>
