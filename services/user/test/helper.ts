import { generateKeyPairSync } from 'node:crypto'
import type { Test } from 'tap'
import { sql } from 'kysely'
import { createPostgres, createRedis, migrateToLatest } from '@lms/kit'
import { createTestDatabase, testEnv } from '@lms/kit/testing'
import { buildApp, type AppConfig } from '../src/app.js'
import type { Database } from '../src/database.js'
import { migrations } from '../src/migrations/index.js'
import { signingKeyFromPem } from '../src/tokens/signing-keys.js'

export const testConfig: AppConfig = {
  LOG_LEVEL: 'silent',
  JWT_ISSUER: 'lms-user-service',
  JWT_AUDIENCE: 'lms',
  ACCESS_TOKEN_TTL_SECONDS: 900,
  REFRESH_TOKEN_TTL_SECONDS: 86_400,
  BCRYPT_COST: 10,
  PASSWORD_MIN_LENGTH: 10,
  // Tests share two cores with other test files: never shed work unless a test asks to.
  PASSWORD_MAX_WAIT_MS: 600_000,
}

export function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }))
}

/** The user service on its own schema and role, migrated, torn down after the test. */
export async function build(t: Test, opts: { keys?: ReturnType<typeof newSigningKey>[]; config?: Partial<AppConfig> } = {}) {
  const env = await testEnv()
  const database = await createTestDatabase(t, 'users')
  const db = createPostgres<Database>({ url: database.url, schema: database.schema, max: 5 })
  const redis = createRedis(env.redisUrl, 'user-test')
  await migrateToLatest(db, { schema: database.schema, migrations })
  const keys = opts.keys ?? [newSigningKey()]
  const app = await buildApp({ config: { ...testConfig, ...opts.config }, db, redis, keys })
  t.teardown(async () => {
    await app.close()
    await db.destroy()
    redis.disconnect()
  })
  return { app, db, redis, keys, schema: database.schema }
}

let counter = 0
export function uniqueEmail(name = 'user') {
  return `${name}.${process.pid}.${Date.now()}.${counter++}@example.test`
}

export async function register(app: Awaited<ReturnType<typeof build>>['app'], overrides: Record<string, unknown> = {}) {
  const body = { email: uniqueEmail(), password: 'correct horse battery', fullName: 'Ada Lovelace', ...overrides }
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  return { ...res.json(), password: body.password, email: body.email } as {
    user: { id: string; email: string; role: string; version: number }
    accessToken: string; refreshToken: string; expiresIn: number; password: string; email: string
  }
}

/** Makes a user admin directly in the database (the first admin comes from config in production). */
export async function promote(db: ReturnType<typeof createPostgres<Database>>, userId: string, role: 'admin' | 'instructor') {
  await db.updateTable('users').set({ role }).where('id', '=', userId).execute()
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` }
}

export async function outboxTypes(db: ReturnType<typeof createPostgres<Database>>) {
  const rows = await sql<{ event_type: string; envelope: { data: Record<string, unknown> } }>`select event_type, envelope from outbox order by position`.execute(db.withoutPlugins())
  return rows.rows
}
