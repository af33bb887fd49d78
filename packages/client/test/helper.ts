import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { createPostgres, createRedis, migrateToLatest } from '@lms/kit'
import { createTestDatabase, randomName, testEnv } from '@lms/kit/testing'
import { buildGateway } from '../../../gateway/src/app.js'
import { buildApp as buildUserApp } from '../../../services/user/src/app.js'
import type { Database as UserDatabase } from '../../../services/user/src/database.js'
import { migrations as userMigrations } from '../../../services/user/src/migrations/index.js'
import { newSigningKey, testConfig as userConfig } from '../../../services/user/test/helper.js'

const DOWN = 'http://127.0.0.1:9' // nothing listens on the discard port

/**
 * The real gateway listening on loopback in front of the real user service
 * (own schema, role and Redis prefix); other upstreams are down. Returns the
 * gateway's origin for the client and the signing key to forge edge-case tokens.
 */
export async function buildStack(t: Test) {
  const env = await testEnv()
  const database = await createTestDatabase(t, 'client_users')
  const db = createPostgres<UserDatabase>({ url: database.url, schema: database.schema, max: 5 })
  await migrateToLatest(db, { schema: database.schema, migrations: userMigrations })
  const redis = createRedis(env.redisUrl, 'client-test')
  const key = newSigningKey()
  const user = await buildUserApp({ config: userConfig, db, redis, keys: [key] })
  await user.listen({ host: '127.0.0.1', port: 0 })
  const userUrl = `http://127.0.0.1:${(user.server.address() as AddressInfo).port}`
  const gateway = await buildGateway({
    redis,
    keyPrefix: `${randomName('gwc')}:`,
    upstreams: { user: userUrl, course: DOWN, enrollment: DOWN, assessment: DOWN, notification: DOWN },
    jwks: { url: `${userUrl}/.well-known/jwks.json` },
    issuer: 'lms-user-service',
    audience: 'lms',
    logLevel: 'silent',
  })
  await gateway.listen({ host: '127.0.0.1', port: 0 })
  const baseUrl = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`
  t.teardown(async () => {
    await gateway.close()
    await user.close()
    await db.destroy()
    redis.disconnect()
  })
  return { baseUrl, db, key }
}

/** A fetch that records the path of every request it sends. */
export function countingFetch() {
  const paths: string[] = []
  const fetchImpl: typeof fetch = (input, init) => {
    paths.push(new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname)
    return fetch(input, init)
  }
  return { fetch: fetchImpl, paths, count: (path: string) => paths.filter((p) => p === path).length }
}

let n = 0
export const email = (name: string) => `${name}.${process.pid}.${Date.now()}.${n++}@example.test`
export const password = 'correct horse battery'
