import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { createEvent, enqueue, type EventData } from '@lms/events'
import type { AuthUser } from '@lms/kit'
import { findCourse } from '../courses/service.js'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import * as repo from './repository.js'
import { toWaitlistEntry } from './schemas.js'

const SOURCE = { source: 'enrollment' }

/**
 * Queues the user for the course. The caller holds the course row lock, so the queue order is the
 * order in which the course was found full.
 */
export async function join(trx: Transaction<Database>, userId: string, courseId: string) {
  if (await repo.findWaiting(trx, userId, courseId)) throw errors.ENR_ERR_ALREADY_WAITLISTED()
  const row = await repo.insertEntry(trx, { id: uuidv7(), userId, courseId })
  const position = await repo.positionOf(trx, row)
  const course = await findCourse(trx, courseId)
  await enqueue(trx, createEvent('enrollment.waitlisted', {
    waitlistEntryId: row.id, userId, courseId, position, ...(course ? { courseTitle: course.title } : {}),
  }, SOURCE))
  return toWaitlistEntry(row, position)
}

type LeftReason = EventData<'enrollment.waitlist_left'>['reason']

async function announceLeft(trx: Transaction<Database>, row: { id: string; userId: string; courseId: string }, reason: LeftReason, enrollmentId?: string) {
  await enqueue(trx, createEvent('enrollment.waitlist_left', {
    waitlistEntryId: row.id, userId: row.userId, courseId: row.courseId, reason, ...(enrollmentId ? { enrollmentId } : {}),
  }, SOURCE))
}

/** The next waiting entry (caller holds the course row lock). */
export const firstWaiting = (trx: Transaction<Database>, courseId: string) => repo.firstWaiting(trx, courseId)
/** user.deleted: no waitlist event, the consumers of user.deleted forget the person themselves. */
export const forgetUser = (trx: Transaction<Database>, userId: string) => repo.forgetUser(trx, userId)

/** The entry got a seat: `enrollment.waitlist_left` (promoted) beside the enrollment's own enrollment.created. */
export async function markPromoted(trx: Transaction<Database>, id: string, enrollmentId: string) {
  const row = await repo.markPromoted(trx, id, enrollmentId)
  await announceLeft(trx, row, 'promoted', enrollmentId)
  return row
}

/** Removes a waiting entry whose student holds an enrollment already. */
export async function deleteEntry(trx: Transaction<Database>, id: string) {
  const row = await repo.deleteEntry(trx, id)
  if (row) await announceLeft(trx, row, 'already_enrolled')
}

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
      await db.transaction().execute(async (trx) => {
        if ((await repo.deleteWaiting(trx, row.id)) === 0) throw errors.ENR_ERR_WAITLIST_ENTRY_PROMOTED()
        await announceLeft(trx, row, row.userId === actor.id ? 'left' : 'removed')
      })
    },
  }
}

export type WaitlistService = ReturnType<typeof createWaitlistService>
