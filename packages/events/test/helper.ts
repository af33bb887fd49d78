import { randomBytes } from 'node:crypto'
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { AmqpConnection } from '../src/bus/connection.js'
import { OUTBOX_CHANNEL } from '../src/bus/outbox-pg.js'
import { deleteServiceTopology } from '../src/bus/topology.js'

type Tap = { teardown(fn: () => unknown): void }

/** Reads a server URL from the environment, or fails with how to get one. */
export function env(name: 'LMS_PG_ADMIN_URL' | 'AMQP_URL' | 'MONGO_URL' | 'ZIPKIN_URL' | 'RABBITMQ_MANAGEMENT_URL'): string {
  const v = process.env[name]
  if (!v)
    throw new Error(
      `${name} is not set: run the tests with \`npm test\`, or start the servers with \`bash deploy/local/infra.sh up\` and \`source .lms/infra.env\``,
    )
  return v
}

/** A random lower-case suffix for schema, exchange and queue names. */
export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

/** A fresh PostgreSQL schema for this test file, dropped at teardown; `db` uses CamelCasePlugin like the services do. */
export async function testSchema(t: Tap, options: { poolSize?: number } = {}) {
  const url = env('LMS_PG_ADMIN_URL')
  const schema = randomName('events_test')
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, options: `-c search_path=${schema}` })
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
  t.teardown(async () => {
    await sql.raw(`drop schema ${schema} cascade`).execute(db)
    await db.destroy()
  })
  return { db, schema, connectionString: url, listen: { connectionString: url } }
}

/** Counts the outbox NOTIFYs for `schema` from now on, on a LISTEN connection closed at teardown. */
export async function countNotifications(t: Tap, listen: pg.ClientConfig, schema: string): Promise<() => number> {
  const listener = new pg.Client(listen)
  await listener.connect()
  t.teardown(() => listener.end())
  let notified = 0
  listener.on('notification', (n) => void (n.payload === schema && notified++))
  await listener.query(`listen ${OUTBOX_CHANNEL}`)
  return () => notified
}

/** An AMQP connection closed at teardown. */
export async function testConnection(t: Tap, name = 'events-test'): Promise<AmqpConnection> {
  const connection = new AmqpConnection({ url: env('AMQP_URL'), name, minDelayMs: 50, maxDelayMs: 1000 })
  await connection.start()
  t.teardown(() => connection.close())
  return connection
}

/** Deletes a test's queues and its exchange at teardown (registered first so it runs after the consumers stop). */
export function cleanupTopology(t: Tap, services: string[], exchange: string, maxAttempts: number) {
  t.teardown(async () => {
    const connection = new AmqpConnection({ url: env('AMQP_URL'), name: 'events-test-cleanup' })
    await connection.start()
    const conn = await connection.waitForConnection(5000)
    const ch = await conn.createChannel()
    for (const service of services) await deleteServiceTopology(ch, { service, exchange, maxAttempts })
    await ch.deleteExchange(exchange)
    await ch.close()
    await connection.close()
  })
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v
      last = v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** A UUID for test data (v4 is fine where ordering does not matter). */
export { randomUUID as uuid } from 'node:crypto'
