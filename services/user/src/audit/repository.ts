import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import type { Database } from '../database.js'

type Db = Kysely<Database> | Transaction<Database>

export interface AuditEntry {
  action: AuditAction
  actorId?: string | null
  targetUserId?: string | null
  ip?: string | null
  metadata?: Record<string, unknown>
}

export type AuditAction =
  | 'user.registered' | 'login.succeeded' | 'login.failed' | 'logout' | 'password.changed' | 'role.changed'
  | 'user.deleted' | 'refresh_token.reused' | 'profile.updated'

export async function insertAuditLog(db: Db, entry: AuditEntry) {
  await db.insertInto('auditLogs').values({
    id: uuidv7(),
    action: entry.action,
    actorId: entry.actorId ?? null,
    targetUserId: entry.targetUserId ?? null,
    ip: entry.ip ?? null,
    metadata: JSON.stringify(entry.metadata ?? {}),
  }).execute()
}

export async function listAuditLogs(db: Db, q: { limit: number; before?: string; action?: string; userId?: string }) {
  let query = db.selectFrom('auditLogs').selectAll().orderBy('id', 'desc').limit(q.limit + 1)
  if (q.before) query = query.where('id', '<', q.before)
  if (q.action) query = query.where('action', '=', q.action)
  if (q.userId) query = query.where((eb) => eb.or([eb('targetUserId', '=', q.userId!), eb('actorId', '=', q.userId!)]))
  return query.execute()
}
