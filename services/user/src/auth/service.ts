import type { Kysely } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { createEvent, enqueue } from '@lms/events'
import type { AuthUser, Role } from '@lms/kit'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import { insertAuditLog } from '../audit/repository.js'
import type { SessionService } from '../sessions/service.js'
import type { TokenSigner } from '../tokens/signing-keys.js'
import type { Passwords } from '../users/passwords.js'
import * as users from '../users/repository.js'
import { toUser } from '../users/schemas.js'
import type { UserRow } from '../users/table.js'

export interface AuthServiceDeps {
  db: Kysely<Database>
  sessions: SessionService
  signer: TokenSigner
  passwords: Passwords
  onRegistered?: () => void
}

export function createAuthService(deps: AuthServiceDeps) {
  const { db, sessions, signer, passwords } = deps

  function grant(user: UserRow, sessionId: string, refreshToken: string) {
    return {
      user: toUser(user),
      accessToken: signer.sign({ sub: user.id, role: user.role, sid: sessionId }),
      refreshToken,
      expiresIn: signer.ttlSeconds,
    }
  }

  return {
    /** Creates an account (students only: roles are granted by admins) and logs it in. */
    async register(input: { email: string; password: string; fullName: string }, ip: string, role: Role = 'student') {
      passwords.check(input.password)
      const passwordHash = await passwords.hash(input.password)
      const email = input.email.trim()
      try {
        const { user, session } = await db.transaction().execute(async (trx) => {
          const user = await users.insertUser(trx, { id: uuidv7(), email, passwordHash, fullName: input.fullName.trim(), role })
          const session = await sessions.start(trx, user.id)
          await insertAuditLog(trx, { action: 'user.registered', actorId: user.id, targetUserId: user.id, ip })
          await enqueue(trx, createEvent('user.registered', { userId: user.id, email: user.email, fullName: user.fullName, role: user.role }, { source: 'user' }))
          return { user, session }
        })
        await sessions.activate(session.sessionId, user.id)
        deps.onRegistered?.()
        return grant(user, session.sessionId, session.refreshToken)
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw errors.USR_ERR_EMAIL_TAKEN()
        throw error
      }
    },

    /** Same answer for an unknown email and a wrong password, after the same bcrypt work. */
    async login(input: { email: string; password: string }, ip: string) {
      const user = await users.findActiveUserByEmail(db, input.email.trim())
      const ok = await passwords.verify(input.password, user?.passwordHash)
      if (!user || !ok) {
        await insertAuditLog(db, { action: 'login.failed', targetUserId: user?.id ?? null, ip, metadata: { reason: user ? 'wrong_password' : 'unknown_email' } })
        throw errors.USR_ERR_INVALID_CREDENTIALS()
      }
      const session = await db.transaction().execute(async (trx) => {
        const session = await sessions.start(trx, user.id)
        await insertAuditLog(trx, { action: 'login.succeeded', actorId: user.id, targetUserId: user.id, ip })
        return session
      })
      await sessions.activate(session.sessionId, user.id)
      return grant(user, session.sessionId, session.refreshToken)
    },

    async refresh(refreshToken: string, ip: string) {
      const result = await sessions.rotate(refreshToken)
      if (result.outcome === 'invalid') throw errors.USR_ERR_INVALID_REFRESH_TOKEN()
      if (result.outcome === 'reused') {
        await insertAuditLog(db, { action: 'refresh_token.reused', targetUserId: result.userId, ip, metadata: { sessionId: result.sessionId } })
        throw errors.USR_ERR_REFRESH_TOKEN_REUSED()
      }
      // The role is read again, so a refreshed token always carries the current one.
      const user = await users.findActiveUser(db, result.userId)
      if (!user) throw errors.USR_ERR_INVALID_REFRESH_TOKEN()
      return grant(user, result.sessionId, result.refreshToken)
    },

    /** Ends the caller's session, and the session of `refreshToken` when it is theirs. */
    async logout(actor: AuthUser, refreshToken: string | undefined, ip: string) {
      const other = refreshToken ? await sessions.sessionOfRefreshToken(refreshToken) : undefined
      const ended = await db.transaction().execute(async (trx) => {
        const ids = await sessions.end(trx, { sessionId: actor.sid, userId: actor.id }, 'logout')
        if (other && other !== actor.sid) ids.push(...(await sessions.end(trx, { sessionId: other, userId: actor.id }, 'logout')))
        await insertAuditLog(trx, { action: 'logout', actorId: actor.id, targetUserId: actor.id, ip })
        return ids
      })
      await sessions.forget([actor.sid, ...ended])
    },

    /** Creates the first admin from config when none exists (idempotent across restarts and replicas). */
    async ensureAdmin(email: string, password: string) {
      const existing = await users.findActiveUserByEmail(db, email)
      if (existing) return { created: false, userId: existing.id }
      passwords.check(password)
      const passwordHash = await passwords.hash(password)
      try {
        const user = await db.transaction().execute(async (trx) => {
          const user = await users.insertUser(trx, { id: uuidv7(), email, passwordHash, fullName: 'Administrator', role: 'admin' })
          await insertAuditLog(trx, { action: 'user.registered', actorId: null, targetUserId: user.id, metadata: { bootstrap: true } })
          await enqueue(trx, createEvent('user.registered', { userId: user.id, email: user.email, fullName: user.fullName, role: 'admin' }, { source: 'user' }))
          return user
        })
        return { created: true, userId: user.id }
      } catch (error) {
        if ((error as { code?: string }).code === '23505') return { created: false, userId: '' }
        throw error
      }
    },
  }
}

export type AuthService = ReturnType<typeof createAuthService>
