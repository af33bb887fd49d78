import { createHash, randomBytes } from 'node:crypto'
import { endSessions } from '@lms/kit'
import type { Redis } from 'ioredis'
import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import type { Database } from '../database.js'
import * as repo from './repository.js'

export const SESSION_KEY_PREFIX = 'session:'

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export interface SessionDeps { db: Kysely<Database>; redis: Redis; refreshTtlSeconds: number }

/**
 * Sessions live in PostgreSQL (the record) and in Redis as `session:<sid>`
 * (what the gateway checks on every request). Ending a session deletes the
 * key and announces it (`endSessions`), so its access tokens stop working at
 * once, also in services that remember live sessions (`SessionLiveness`).
 */
export function createSessionService(deps: SessionDeps) {
  const ttlMs = deps.refreshTtlSeconds * 1000

  async function issueRefreshToken(trx: Transaction<Database>, sessionId: string) {
    const token = randomBytes(32).toString('base64url')
    await repo.insertRefreshToken(trx, {
      id: uuidv7(), sessionId, tokenHash: hashRefreshToken(token), expiresAt: new Date(Date.now() + ttlMs),
    })
    return token
  }

  async function activate(sessionId: string, userId: string) {
    await deps.redis.set(SESSION_KEY_PREFIX + sessionId, userId, 'EX', deps.refreshTtlSeconds)
  }

  /** Deletes the sessions' keys and announces them, so services that remember live sessions forget them at once. */
  async function forget(sessionIds: string[]) {
    await endSessions(deps.redis, SESSION_KEY_PREFIX, sessionIds)
  }

  return {
    /** Starts a session inside the caller's transaction; call `activate` after commit. */
    async start(trx: Transaction<Database>, userId: string) {
      const sessionId = uuidv7()
      await repo.insertSession(trx, { id: sessionId, userId, expiresAt: new Date(Date.now() + ttlMs) })
      const refreshToken = await issueRefreshToken(trx, sessionId)
      return { sessionId, refreshToken }
    },

    activate,

    /**
     * Rotates a refresh token. A token used before means it leaked: the whole
     * session family ends and the caller gets `reused`.
     */
    async rotate(token: string): Promise<
      | { outcome: 'rotated'; sessionId: string; userId: string; refreshToken: string }
      | { outcome: 'invalid' }
      | { outcome: 'reused'; sessionId: string; userId: string }
    > {
      const result = await deps.db.transaction().execute(async (trx) => {
        const row = await repo.findRefreshTokenForUpdate(trx, hashRefreshToken(token))
        if (!row) return { outcome: 'invalid' as const }
        if (row.usedAt) {
          await repo.revokeSessions(trx, { sessionId: row.sessionId }, 'refresh_token_reused')
          return { outcome: 'reused' as const, sessionId: row.sessionId, userId: row.userId }
        }
        const now = Date.now()
        if (row.revokedAt || row.expiresAt.getTime() < now || row.sessionExpiresAt.getTime() < now) {
          return { outcome: 'invalid' as const }
        }
        await repo.markRefreshTokenUsed(trx, row.id)
        await repo.touchSession(trx, row.sessionId)
        const refreshToken = await issueRefreshToken(trx, row.sessionId)
        return { outcome: 'rotated' as const, sessionId: row.sessionId, userId: row.userId, refreshToken }
      })
      if (result.outcome === 'reused') await forget([result.sessionId])
      if (result.outcome === 'rotated') await activate(result.sessionId, result.userId)
      return result
    },

    /** Ends sessions (one, all of a user, or all but one) in the caller's transaction; returns their ids for `forget`. */
    end(trx: Transaction<Database> | Kysely<Database>, where: Parameters<typeof repo.revokeSessions>[1], reason: string) {
      return repo.revokeSessions(trx, where, reason)
    },

    forget,

    async sessionOfRefreshToken(token: string) {
      const row = await deps.db.selectFrom('refreshTokens').select(['sessionId'])
        .where('tokenHash', '=', hashRefreshToken(token)).executeTakeFirst()
      return row?.sessionId
    },

    async isActive(sessionId: string) {
      return (await deps.redis.exists(SESSION_KEY_PREFIX + sessionId)) === 1
    },
  }
}

export type SessionService = ReturnType<typeof createSessionService>
