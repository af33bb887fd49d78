import type { ColumnType, Generated, Selectable } from 'kysely'
import type { Role } from '@lms/kit'

export interface UserTable {
  id: string
  email: string
  passwordHash: string | null
  fullName: string
  role: Role
  status: 'active' | 'deleted'
  version: Generated<number>
  createdAt: ColumnType<Date, Date | undefined, never>
  updatedAt: ColumnType<Date, Date | undefined, Date>
  deletedAt: Date | null
}

export type UserRow = Selectable<UserTable>
