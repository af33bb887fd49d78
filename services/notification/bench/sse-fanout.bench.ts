// SSE fan-out: N streams open on one replica, an admin broadcast to everyone, latency from the
// notification row's commit (createdAt) to receipt by each client, and heap per connection.
// Direct to the service on loopback (not yet through the gateway). SSE_CONNECTIONS=2000 by default.
import { Agent, get } from 'node:http'
import nodemailer from 'nodemailer'
import { uuidv7 } from 'uuidv7'
import { createPostgres, createRedis, migrateToLatest } from '@lms/kit'
import { createTestDatabase, generateSigningKey, signTestToken, testEnv } from '@lms/kit/testing'
import { buildApp } from '../src/app.js'
import type { Database } from '../src/database.js'
import { migrations } from '../src/migrations/index.js'
import { testConfig } from '../test/helper.js'

const N = Number(process.env.SSE_CONNECTIONS ?? 2000)
const cleanups: Array<() => Promise<unknown> | unknown> = []
const env = await testEnv()
const database = await createTestDatabase({ teardown: (fn: () => unknown) => { cleanups.push(fn) } }, 'ntf_bench')
const db = createPostgres<Database>({ url: database.url, schema: database.schema, max: 10 })
const redis = createRedis(env.redisUrl, 'notification-bench')
await migrateToLatest(db, { schema: database.schema, migrations })
const key = generateSigningKey()
const app = await buildApp({
  config: { ...testConfig, BULK_BATCH_SIZE: Number(process.env.BULK_BATCH_SIZE ?? 100), STREAM_MAX_BUFFER_BYTES: 256 * 1024 },
  db, redis, mailer: nodemailer.createTransport({ jsonTransport: true }),
  auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms' },
  startEmailWorker: false,
})
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }

const users = Array.from({ length: N }, () => uuidv7())
for (let i = 0; i < users.length; i += 1000) {
  await db.insertInto('userContacts').values(users.slice(i, i + 1000).map((userId) => ({ userId, email: `${userId}@bench.test`, fullName: 'Bench', role: 'student' as const }))).execute()
  // Email muted so the bench measures the real-time path only.
  await db.insertInto('preferences').values(users.slice(i, i + 1000).map((userId) => ({ userId, type: 'announcement', channel: 'email', enabled: false }))).execute()
}

global.gc?.()
const heapBefore = process.memoryUsage().heapUsed
const agent = new Agent({ keepAlive: true, maxSockets: Infinity })
const latencies: number[] = []
let received = 0
let done: () => void = () => {}
const allReceived = new Promise<void>((resolve) => { done = resolve })
const requests: Array<ReturnType<typeof get>> = []
await Promise.all(users.map((userId) => new Promise<void>((resolve, reject) => {
  const token = signTestToken(key, { sub: userId, role: 'student' })
  const req = get({ host: '127.0.0.1', port, path: '/api/v1/notifications/stream', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
    if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`))
    let buffer = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buffer += chunk
      let idx
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, idx)
        buffer = buffer.slice(idx + 2)
        const data = frame.split('\n').find((l) => l.startsWith('data: '))
        if (!data) continue
        latencies.push(Date.now() - Date.parse(JSON.parse(data.slice(6)).createdAt))
        if (++received === N) done()
      }
    })
    resolve()
  })
  req.on('error', reject)
  requests.push(req)
})))
global.gc?.()
const heapAfter = process.memoryUsage().heapUsed
console.log(`${app.hub.connections()} SSE connections open; heap per connection (server + client in this process): ${((heapAfter - heapBefore) / N / 1024).toFixed(1)} KiB`)

const admin = signTestToken(key, { sub: uuidv7(), role: 'admin' })
const started = Date.now()
const res = await app.inject({ method: 'POST', url: '/api/v1/notifications', headers: { authorization: `Bearer ${admin}` }, payload: { audience: 'all', title: 'Broadcast', body: 'Hello everyone' } })
await Promise.race([allReceived, new Promise((r) => setTimeout(r, 60_000))])
latencies.sort((a, b) => a - b)
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
console.log(`broadcast ${res.statusCode} ${res.body}; received ${received}/${N} in ${Date.now() - started} ms`)
console.log(`commit → client latency: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${latencies.at(-1)} ms`)

for (const req of requests) req.destroy()
agent.destroy()
await app.close()
await db.destroy()
redis.disconnect()
for (const fn of cleanups.reverse()) await fn()
