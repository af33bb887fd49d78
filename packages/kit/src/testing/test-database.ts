import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { provisionServiceDatabase, quoteIdent, urlForRole, withProvisioningLock } from '../db/postgres.js'
import { testEnv } from './test-env.js'

interface Teardown { teardown(fn: () => unknown): void }

/** A short random name safe for schemas, roles, queues and exchanges. */
export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

/**
 * A schema and a login role of its own for one test file, provisioned as a
 * service's would be (so least privilege is exercised too), dropped after.
 *
 * @example
 * const { url, schema } = await createTestDatabase(t, 'users')
 */
export async function createTestDatabase(t: Teardown, prefix: string): Promise<{ url: string; schema: string; role: string }> {
  const { pgAdminUrl } = await testEnv()
  const schema = randomName(`t_${prefix}`)
  const role = schema
  const password = randomBytes(12).toString('hex')
  await provisionServiceDatabase(pgAdminUrl, { schema, role, password })
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: pgAdminUrl })
    await client.connect()
    try {
      await client.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 and pid <> pg_backend_pid()`, [role])
      await withProvisioningLock(client, async () => {
        await client.query(`drop schema if exists ${quoteIdent(schema)} cascade`)
        // The database-level CONNECT grant depends on the role too.
        await client.query(`drop owned by ${quoteIdent(role)} cascade`)
        await client.query(`drop role if exists ${quoteIdent(role)}`)
      })
    } finally {
      await client.end()
    }
  })
  return { url: urlForRole(pgAdminUrl, role, password), schema, role }
}
