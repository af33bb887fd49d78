import type { Kysely } from 'kysely'
import { createEvent, enqueue } from '@lms/events'
import { kitErrors, type AuthUser, type Role } from '@lms/kit'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import { insertAuditLog } from '../audit/repository.js'
import type { SessionService } from '../sessions/service.js'
import type { Passwords } from './passwords.js'
import * as repo from './repository.js'
import { toUser } from './schemas.js'

export interface UserServiceDeps { db: Kysely<Database>; sessions: SessionService; passwords: Passwords }

function isUniqueViolation(error: unknown) {
  return (error as { code?: string }).code === '23505'
}

export function createUserService(deps: UserServiceDeps) {
  const { db, sessions, passwords } = deps

  return {
    async get(id: string) {
      const row = await repo.findActiveUser(db, id)
      if (!row) throw errors.USR_ERR_USER_NOT_FOUND()
      return toUser(row)
    },

    async list(q: Parameters<typeof repo.listUsers>[1]) {
      return repo.listUsers(db, q)
    },

    async updateProfile(actor: AuthUser, changes: { fullName?: string; email?: string }, expectedVersion: number | undefined, ip: string) {
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await repo.updateUser(trx, actor.id, changes, expectedVersion)
          if (!row) {
            const exists = await repo.findActiveUser(trx, actor.id)
            throw exists ? kitErrors.KIT_ERR_PRECONDITION_FAILED() : errors.USR_ERR_USER_NOT_FOUND()
          }
          await insertAuditLog(trx, { action: 'profile.updated', actorId: actor.id, targetUserId: actor.id, ip, metadata: { fields: Object.keys(changes) } })
          return toUser(row)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.USR_ERR_EMAIL_TAKEN()
        throw error
      }
    },

    /** Changes the password and ends every other session of the user. */
    async changePassword(actor: AuthUser, currentPassword: string, newPassword: string, ip: string) {
      passwords.check(newPassword)
      const user = await repo.findActiveUser(db, actor.id)
      if (!user) throw errors.USR_ERR_USER_NOT_FOUND()
      if (!(await passwords.verify(currentPassword, user.passwordHash))) throw errors.USR_ERR_WRONG_PASSWORD()
      const passwordHash = await passwords.hash(newPassword)
      const ended = await db.transaction().execute(async (trx) => {
        await repo.updateUser(trx, actor.id, { passwordHash })
        await insertAuditLog(trx, { action: 'password.changed', actorId: actor.id, targetUserId: actor.id, ip })
        return sessions.end(trx, { userId: actor.id, exceptSessionId: actor.sid }, 'password_changed')
      })
      await sessions.forget(ended)
    },

    /** Changes a role; the user's sessions end so no token keeps the old role. */
    async changeRole(actor: AuthUser, userId: string, role: Role, ip: string) {
      const { user, ended } = await db.transaction().execute(async (trx) => {
        const current = await repo.findActiveUserForUpdate(trx, userId)
        if (!current) throw errors.USR_ERR_USER_NOT_FOUND()
        if (current.role === role) return { user: current, ended: [] as string[] }
        if (current.role === 'admin' && (await repo.countAdmins(trx)) <= 1) throw errors.USR_ERR_LAST_ADMIN()
        const updated = (await repo.updateUser(trx, userId, { role }))!
        await insertAuditLog(trx, { action: 'role.changed', actorId: actor.id, targetUserId: userId, ip, metadata: { from: current.role, to: role } })
        await enqueue(trx, createEvent('user.role_changed', { userId, oldRole: current.role, newRole: role, changedBy: actor.id }, { source: 'user' }))
        const ended = await sessions.end(trx, { userId }, 'role_changed')
        return { user: updated, ended }
      })
      await sessions.forget(ended)
      return toUser(user)
    },

    /** Erases the person's data (the row stays, anonymised) and ends all their sessions. */
    async delete(actor: AuthUser, userId: string, ip: string) {
      const ended = await db.transaction().execute(async (trx) => {
        const current = await repo.findActiveUserForUpdate(trx, userId)
        if (!current) throw errors.USR_ERR_USER_NOT_FOUND()
        if (current.role === 'admin' && (await repo.countAdmins(trx)) <= 1) throw errors.USR_ERR_LAST_ADMIN()
        await repo.anonymiseUser(trx, userId)
        await insertAuditLog(trx, { action: 'user.deleted', actorId: actor.id, targetUserId: userId, ip, metadata: { by: actor.id === userId ? 'self' : 'admin' } })
        await enqueue(trx, createEvent('user.deleted', { userId }, { source: 'user' }))
        return sessions.end(trx, { userId }, 'user_deleted')
      })
      await sessions.forget(ended)
    },
  }
}

export type UserService = ReturnType<typeof createUserService>
