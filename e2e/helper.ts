import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { createPostgres, createRedis, migrateToLatest } from '@lms/kit'
import { createTestDatabase, randomName, testEnv } from '@lms/kit/testing'
import { buildGateway } from '../gateway/src/app.js'
import { buildApp as buildUserApp } from '../services/user/src/app.js'
import type { Database as UserDatabase } from '../services/user/src/database.js'
import { migrations as userMigrations } from '../services/user/src/migrations/index.js'
import { newSigningKey, testConfig as userConfig } from '../services/user/test/helper.js'

const DOWN = 'http://127.0.0.1:9' // nothing listens on the discard port: an upstream that is not running

/**
 * The gateway in front of the real user service (listening on loopback, its
 * own schema and role), on real PostgreSQL and Redis. Other upstreams are down.
 */
export async function buildStack(t: Test, opts: { rateLimit?: Parameters<typeof buildGateway>[0]['rateLimit'] } = {}) {
  const env = await testEnv()
  const database = await createTestDatabase(t, 'e2e_users')
  const db = createPostgres<UserDatabase>({ url: database.url, schema: database.schema, max: 5 })
  await migrateToLatest(db, { schema: database.schema, migrations: userMigrations })
  const redis = createRedis(env.redisUrl, 'e2e')
  const user = await buildUserApp({ config: userConfig, db, redis, keys: [newSigningKey()] })
  await user.listen({ host: '127.0.0.1', port: 0 })
  const userUrl = `http://127.0.0.1:${(user.server.address() as AddressInfo).port}`
  const gateway = await buildGateway({
    redis,
    keyPrefix: `${randomName('gw')}:`,
    upstreams: { user: userUrl, course: DOWN, enrollment: DOWN, assessment: DOWN, notification: DOWN },
    jwks: { url: `${userUrl}/.well-known/jwks.json` },
    issuer: 'lms-user-service',
    audience: 'lms',
    logLevel: 'silent',
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
  })
  t.teardown(async () => {
    await gateway.close()
    await user.close()
    await db.destroy()
    redis.disconnect()
  })
  return { gateway, user, db, redis }
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` }
}

let n = 0
export const email = (name: string) => `${name}.${process.pid}.${Date.now()}.${n++}@example.test`
