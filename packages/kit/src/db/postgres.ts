import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely'
import pg from 'pg'

// int8 (counts, bigserial) as numbers: every value we store fits in 2^53.
pg.types.setTypeParser(20, (value) => Number(value))
// numeric as numbers (scores, prices): JSON has no decimal type anyway.
pg.types.setTypeParser(1700, (value) => Number(value))

export interface PostgresOptions {
  url: string
  /** The service's own schema; becomes the connection's search_path. */
  schema: string
  max?: number
  applicationName?: string
}

/**
 * A Kysely instance over a pg pool whose connections live in one schema, with
 * camelCase in TypeScript and snake_case in SQL.
 *
 * @example
 * const db = createPostgres<Database>({ url: config.DATABASE_URL, schema: 'users' })
 */
export function createPostgres<DB>(opts: PostgresOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? opts.schema,
    options: `-c search_path=${quoteIdent(opts.schema)}`,
    idleTimeoutMillis: 30_000,
  })
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
}

/**
 * Applies a service's migrations (a name → migration record, ordered by name)
 * inside its schema; throws with the failing migration's name.
 *
 * @example
 * await migrateToLatest(db, { schema: 'users', migrations })
 */
export async function migrateToLatest(db: Kysely<any>, opts: { schema: string; migrations: Record<string, Migration> }) {
  const migrator = new Migrator({
    db: db.withoutPlugins(),
    provider: { getMigrations: async () => opts.migrations },
    migrationTableSchema: opts.schema,
  })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, { cause: error })
  return results ?? []
}

export interface ProvisionOptions { schema: string; role: string; password: string }

/**
 * As the admin: creates (or updates) a service's login role and its schema,
 * owned by that role, with no rights on any other schema. Idempotent.
 *
 * @example
 * await provisionServiceDatabase(adminUrl, { schema: 'users', role: 'lms_user', password })
 */
export async function provisionServiceDatabase(adminUrl: string, opts: ProvisionOptions) {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await withProvisioningLock(client, async () => {
      const role = quoteIdent(opts.role)
      const exists = await client.query('select 1 from pg_roles where rolname = $1', [opts.role])
      const password = `'${opts.password.replace(/'/g, "''")}'`
      if (exists.rowCount === 0) {
        await client.query(`create role ${role} login password ${password} nosuperuser nocreatedb nocreaterole noinherit`)
      } else {
        await client.query(`alter role ${role} with login password ${password}`)
      }
      await client.query(`create schema if not exists ${quoteIdent(opts.schema)} authorization ${role}`)
      await client.query(`alter schema ${quoteIdent(opts.schema)} owner to ${role}`)
      await client.query(`revoke all on schema public from public`)
      await client.query(`alter role ${role} set search_path = ${quoteIdent(opts.schema)}`)
      const db = await client.query('select current_database() as name')
      await client.query(`grant connect on database ${quoteIdent(db.rows[0].name)} to ${role}`)
    })
  } finally {
    await client.end()
  }
}

/**
 * Runs `fn` in a transaction holding the cluster-wide provisioning lock. Grants and revokes on the
 * database and the `public` schema rewrite one catalog row each; two sessions doing that at once
 * (services starting together, parallel test files) fail with "tuple concurrently updated".
 */
export async function withProvisioningLock<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query('begin')
  try {
    await client.query(`select pg_advisory_xact_lock(hashtext('lms.provision_service_database'))`)
    const result = await fn()
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  }
}

/** Replaces the user and password of a connection URL (the admin URL → a service role's URL). */
export function urlForRole(adminUrl: string, role: string, password: string): string {
  const url = new URL(adminUrl)
  url.username = role
  url.password = password
  return url.toString()
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** `select 1`, for readiness checks. */
export async function pingPostgres(db: Kysely<any>) {
  await sql`select 1`.execute(db)
}
