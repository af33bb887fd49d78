import type { Test } from 'tap'
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import { createPostgres, migrateToLatest } from '@lms/kit'
import { createTestDatabase, generateSigningKey, signTestToken } from '@lms/kit/testing'
import { createEvent, type EventData } from '@lms/events'
import { buildApp, type AppConfig } from '../src/app.js'
import type { Database } from '../src/database.js'
import { migrations } from '../src/migrations/index.js'

export const testConfig: AppConfig = { LOG_LEVEL: 'silent' }

/**
 * The enrollment service on its own schema and role, migrated, torn down after the test.
 * `onQuery` sees every statement sent to PostgreSQL, `begin` and `commit` included.
 */
export async function build(t: Test, opts: { poolMax?: number; onQuery?: (sql: string) => void } = {}) {
  const database = await createTestDatabase(t, 'enrollments')
  const { onQuery } = opts
  const db = onQuery
    // createPostgres's pool and plugin with Kysely's query log, which createPostgres does not take.
    ? new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: opts.poolMax ?? 5, options: `-c search_path=${database.schema}` }) }),
      plugins: [new CamelCasePlugin()],
      log: (event) => { if (event.level === 'query') onQuery(event.query.sql) },
    })
    : createPostgres<Database>({ url: database.url, schema: database.schema, max: opts.poolMax ?? 5 })
  await migrateToLatest(db, { schema: database.schema, migrations })
  const key = generateSigningKey()
  const app = await buildApp({
    config: testConfig, db,
    auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms' },
  })
  t.teardown(async () => {
    await app.close()
    await db.destroy()
  })
  const token = (role: 'student' | 'instructor' | 'admin', sub: string = uuidv7()) => ({
    id: sub,
    headers: { authorization: `Bearer ${signTestToken(key, { sub, role, sid: uuidv7() })}` },
  })
  return { app, db, database, token }
}

export type Built = Awaited<ReturnType<typeof build>>

/** A course snapshot with the given lessons per module; prerequisites by lesson index. */
export function courseSnapshot(overrides: Partial<EventData<'course.published'>> & { lessons?: number; prerequisites?: Record<number, number[]> } = {}) {
  const lessonIds = Array.from({ length: overrides.lessons ?? 4 }, () => uuidv7())
  const { lessons: _l, prerequisites, ...rest } = overrides
  return {
    courseId: uuidv7(),
    version: 1,
    title: 'Distributed Systems',
    instructorId: uuidv7(),
    capacity: null,
    status: 'published' as const,
    modules: [{
      id: uuidv7(),
      lessons: lessonIds.map((id, i) => ({ id, prerequisiteLessonIds: (prerequisites?.[i] ?? []).map((j) => lessonIds[j]!) })),
    }],
    requiredAssessmentIds: [],
    ...rest,
    lessonIds,
  }
}

/** Publishes a course into the read model through the real handler. */
export async function publishCourse(built: Built, overrides: Parameters<typeof courseSnapshot>[0] = {}) {
  const { lessonIds, ...data } = courseSnapshot(overrides)
  await handle(built, createEvent('course.published', data, { source: 'course' }))
  return { ...data, lessonIds }
}

/** Runs the service's own handler for an event (what the consumer does on delivery). */
export async function handle(built: Built, event: { type: string; version: number }) {
  const handlers = built.app.eventHandlers as Record<string, Record<number, (e: unknown, ctx?: unknown) => Promise<unknown>>>
  return handlers[event.type]![event.version]!(event, {})
}

export async function outbox(built: Built) {
  const rows = await sql<{ event_type: string; envelope: { data: Record<string, any> } }>`select event_type, envelope from outbox order by position`.execute(built.db.withoutPlugins())
  return rows.rows
}

export async function enroll(built: Built, headers: Record<string, string>, courseId: string) {
  return built.app.inject({ method: 'POST', url: '/api/v1/enrollments', headers, payload: { courseId } })
}
