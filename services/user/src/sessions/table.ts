import type { ColumnType } from 'kysely'

/** A login: the family every refresh token of that login belongs to. */
export interface SessionTable {
  id: string
  userId: string
  createdAt: ColumnType<Date, Date | undefined, never>
  lastUsedAt: Date
  expiresAt: Date
  revokedAt: Date | null
  revokedReason: string | null
}

export interface RefreshTokenTable {
  id: string
  sessionId: string
  tokenHash: string
  createdAt: ColumnType<Date, Date | undefined, never>
  expiresAt: Date
  usedAt: Date | null
}
