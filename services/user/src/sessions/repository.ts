import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../database.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertSession(db: Db, session: { id: string; userId: string; expiresAt: Date }) {
  await db.insertInto('sessions').values({ ...session, lastUsedAt: new Date() }).execute()
}

export async function insertRefreshToken(db: Db, token: { id: string; sessionId: string; tokenHash: string; expiresAt: Date }) {
  await db.insertInto('refreshTokens').values(token).execute()
}

/** Locks the token row and its session so two refreshes of one token are serialised. */
export async function findRefreshTokenForUpdate(db: Transaction<Database>, tokenHash: string) {
  return db
    .selectFrom('refreshTokens')
    .innerJoin('sessions', 'sessions.id', 'refreshTokens.sessionId')
    .select([
      'refreshTokens.id', 'refreshTokens.sessionId', 'refreshTokens.expiresAt', 'refreshTokens.usedAt',
      'sessions.userId', 'sessions.revokedAt', 'sessions.expiresAt as sessionExpiresAt',
    ])
    .where('refreshTokens.tokenHash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst()
}

export async function markRefreshTokenUsed(db: Db, id: string) {
  await db.updateTable('refreshTokens').set({ usedAt: new Date() }).where('id', '=', id).execute()
}

export async function touchSession(db: Db, id: string) {
  await db.updateTable('sessions').set({ lastUsedAt: new Date() }).where('id', '=', id).execute()
}

export async function revokeSessions(db: Db, where: { sessionId?: string; userId?: string; exceptSessionId?: string }, reason: string) {
  let query = db.updateTable('sessions').set({ revokedAt: new Date(), revokedReason: reason }).where('revokedAt', 'is', null)
  if (where.sessionId) query = query.where('id', '=', where.sessionId)
  if (where.userId) query = query.where('userId', '=', where.userId)
  if (where.exceptSessionId) query = query.where('id', '!=', where.exceptSessionId)
  const rows = await query.returning(['id']).execute()
  return rows.map((r) => r.id)
}

export async function findSession(db: Db, id: string) {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst()
}
