import { sql, type Kysely, type Transaction } from 'kysely'
import type { Role } from '@lms/kit'
import type { Database } from '../database.js'
import type { UserRow } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertUser(db: Db, user: { id: string; email: string; passwordHash: string; fullName: string; role: Role }) {
  return db.insertInto('users').values({ ...user, status: 'active' }).returningAll().executeTakeFirstOrThrow()
}

export async function findActiveUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase()).where('status', '=', 'active').executeTakeFirst()
}

export async function findActiveUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).where('status', '=', 'active').executeTakeFirst()
}

export async function findActiveUserForUpdate(db: Transaction<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).where('status', '=', 'active').forUpdate().executeTakeFirst()
}

/** Updates when `expectedVersion` still matches (or is absent); bumps the version. */
export async function updateUser(
  db: Db,
  id: string,
  changes: Partial<Pick<UserRow, 'email' | 'fullName' | 'passwordHash' | 'role'>>,
  expectedVersion?: number,
) {
  let query = db.updateTable('users')
    .set({ ...changes, updatedAt: new Date(), version: sql`version + 1` })
    .where('id', '=', id).where('status', '=', 'active')
  if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion)
  return query.returningAll().executeTakeFirst()
}

/** Erases personal data but keeps the row, so references (audit log, events) stay valid. */
export async function anonymiseUser(db: Db, id: string) {
  return db.updateTable('users').set({
    email: sql`'deleted-' || id || '@deleted.invalid'`,
    fullName: 'Deleted user',
    passwordHash: null,
    status: 'deleted',
    deletedAt: new Date(),
    updatedAt: new Date(),
    version: sql`version + 1`,
  }).where('id', '=', id).where('status', '=', 'active').returning(['id']).executeTakeFirst()
}

export async function countAdmins(db: Db) {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin').where('status', '=', 'active').executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function listUsers(db: Db, q: { limit: number; after?: string; role?: Role; search?: string }) {
  let query = db.selectFrom('users').selectAll().where('status', '=', 'active').orderBy('id').limit(q.limit + 1)
  if (q.after) query = query.where('id', '>', q.after)
  if (q.role) query = query.where('role', '=', q.role)
  if (q.search) {
    const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    query = query.where((eb) => eb.or([eb('email', 'ilike', pattern), eb('fullName', 'ilike', pattern)]))
  }
  return query.execute()
}
