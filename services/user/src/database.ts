import type { AuditLogTable } from './audit/table.js'
import type { RefreshTokenTable, SessionTable } from './sessions/table.js'
import type { UserTable } from './users/table.js'

export interface Database {
  users: UserTable
  sessions: SessionTable
  refreshTokens: RefreshTokenTable
  auditLogs: AuditLogTable
}
