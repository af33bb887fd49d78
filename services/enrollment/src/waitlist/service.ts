import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import type { AuthUser } from '@lms/kit'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import * as repo from './repository.js'
import { toWaitlistEntry } from './schemas.js'

/**
 * Queues the user for the course. The caller holds the course row lock, so the queue order is the
 * order in which the course was found full.
 */
export async function join(trx: Transaction<Database>, userId: string, courseId: string) {
  if (await repo.findWaiting(trx, userId, courseId)) throw errors.ENR_ERR_ALREADY_WAITLISTED()
  const row = await repo.insertEntry(trx, { id: uuidv7(), userId, courseId })
  return toWaitlistEntry(row, await repo.positionOf(trx, row))
}

/** The next waiting entry (caller holds the course row lock). */
export const firstWaiting = (trx: Transaction<Database>, courseId: string) => repo.firstWaiting(trx, courseId)
export const markPromoted = (trx: Transaction<Database>, id: string, enrollmentId: string) => repo.markPromoted(trx, id, enrollmentId)
export const findWaiting = (trx: Transaction<Database>, userId: string, courseId: string) => repo.findWaiting(trx, userId, courseId)
export const deleteEntry = (trx: Transaction<Database>, id: string) => repo.deleteEntry(trx, id)
export const forgetUser = (trx: Transaction<Database>, userId: string) => repo.forgetUser(trx, userId)

export function createWaitlistService(deps: { db: Kysely<Database> }) {
  const { db } = deps

  async function own(actor: AuthUser, id: string) {
    const row = await repo.findEntry(db, id)
    if (!row || (row.userId !== actor.id && actor.role !== 'admin')) throw errors.ENR_ERR_WAITLIST_ENTRY_NOT_FOUND()
    return row
  }

  return {
    async listOfUser(userId: string, q: { limit: number; before?: string }) {
      const rows = await repo.listOfUser(db, userId, q)
      return Promise.all(rows.map(async (r) => toWaitlistEntry(r, r.status === 'waiting' ? await repo.positionOf(db, r) : null)))
    },

    async get(actor: AuthUser, id: string) {
      const row = await own(actor, id)
      return toWaitlistEntry(row, row.status === 'waiting' ? await repo.positionOf(db, row) : null)
    },

    /** Leaves the queue; 409 once the entry was promoted (drop the enrollment instead). */
    async leave(actor: AuthUser, id: string) {
      const row = await own(actor, id)
      if ((await repo.deleteWaiting(db, row.id)) === 0) throw errors.ENR_ERR_WAITLIST_ENTRY_PROMOTED()
    },
  }
}

export type WaitlistService = ReturnType<typeof createWaitlistService>
