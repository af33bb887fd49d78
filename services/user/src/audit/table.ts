import type { ColumnType, Selectable } from 'kysely'

export interface AuditLogTable {
  id: string
  action: string
  actorId: string | null
  targetUserId: string | null
  ip: string | null
  metadata: ColumnType<Record<string, unknown>, string, string>
  createdAt: ColumnType<Date, Date | undefined, never>
}

export type AuditLogRow = Selectable<AuditLogTable>
