import { connectMongo, createRedis } from '@lms/kit'
import { generateSigningKey, randomName, signTestToken, testEnv } from '@lms/kit/testing'
import type { Registry } from 'prom-client'
import { uuidv7 } from 'uuidv7'
import { buildApp } from '../src/app.js'
import { readConfig } from '../src/config.js'
import { migrate } from '../src/migrate.js'

interface Teardown { teardown(fn: () => unknown): void }

export type Role = 'student' | 'instructor' | 'admin'
export interface Caller { id: string; role: Role; headers: { authorization: string } }

/**
 * The course app on the real MongoDB-compatible server and Redis, with its own
 * database and key prefix (both dropped after the test).
 */
export async function build(t: Teardown, env: Record<string, string> = {}, extra: { notifyOutbox?: () => void; registry?: Registry } = {}) {
  const servers = await testEnv()
  const key = generateSigningKey()
  const dbName = randomName('courses')
  const prefix = `${randomName('tcourse')}:`
  const config = readConfig({
    MONGO_URL: servers.mongoUrl,
    MONGO_DB: dbName,
    REDIS_URL: servers.redisUrl,
    AMQP_URL: servers.amqpUrl,
    JWKS_URL: 'http://127.0.0.1:9/unused',
    CACHE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    EVENTS_ENABLED: 'false',
    ...env,
  })
  const { client, db } = await connectMongo(config.MONGO_URL, dbName)
  await migrate(db)
  const redis = createRedis(config.REDIS_URL, 'course-test')
  const { app, services } = await buildApp({
    db,
    redis,
    config,
    auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms' },
    ...extra,
  })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await db.dropDatabase()
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
    await client.close()
  })
  const as = (role: Role, id: string = uuidv7()): Caller => ({ id, role, headers: { authorization: `Bearer ${signTestToken(key, { sub: id, role })}` } })
  return { app, db, redis, services, config, prefix, as }
}

export type Built = Awaited<ReturnType<typeof build>>

/** Reads one sample of a counter from /metrics (0 when absent). */
export async function metric(app: Built['app'], name: string, labels: Record<string, string>): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of res.body.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}

let seq = 0
/** A unique, valid course code. */
export function code(prefix = 'C'): string {
  return `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase().slice(0, 30)
}

/** Creates a course with one module and one lesson as `owner`; returns its id. */
export async function courseWithLesson(built: Built, owner: Caller, body: Record<string, unknown> = {}) {
  const created = await built.app.inject({ method: 'POST', url: '/api/v1/courses', headers: owner.headers, payload: { title: 'Course', code: code(), ...body } })
  if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`)
  const id = created.json().id as string
  const mod = await built.app.inject({ method: 'POST', url: `/api/v1/courses/${id}/modules`, headers: owner.headers, payload: { title: 'Module 1', durationMinutes: 30 } })
  const moduleId = mod.json().id as string
  const lesson = await built.app.inject({ method: 'POST', url: `/api/v1/courses/${id}/modules/${moduleId}/lessons`, headers: owner.headers, payload: { title: 'Lesson 1', content: '<p>hi</p>' } })
  return { id, moduleId, lessonId: lesson.json().id as string }
}

/** Publishes as an admin (review on) or as the owner. */
export async function publish(built: Built, id: string, caller: Caller) {
  const res = await built.app.inject({ method: 'POST', url: `/api/v1/courses/${id}/publish`, headers: caller.headers })
  if (res.statusCode !== 200) throw new Error(`publish failed: ${res.body}`)
  return res.json()
}
